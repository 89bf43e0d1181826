import Foundation
import SikoModel

/// An Atom feed of alerts (RFC 4287) as CAP aggregators read it: one entry per event, its CAP alert
/// inline as the entry's content and linked as `application/cap+xml`, newest first, with a `next`
/// link to the older ones.
public struct CAPFeed: Sendable {
    public let writer: CAPWriter
    public static let path = "/v1/feeds/cap.atom"

    public init(writer: CAPWriter) { self.writer = writer }

    /// `events` newest first; `next` the cursor of the page after, if any.
    public func atom(
        _ events: [Event], title: String, partner: String?, next: String?, reference: ReferenceData, now: Date
    ) -> String {
        var xml = XMLWriter()
        xml.open("feed", attributes: [("xmlns", "http://www.w3.org/2005/Atom")])
        xml.element("id", "urn:siko:\(writer.sender):feed:cap:\(partner ?? "all")")
        xml.element("title", title)
        xml.element("updated", Self.time(events.first?.publishedAt ?? now))
        xml.open("author")
        xml.element("name", "SiKo Gateway")
        xml.close("author")
        xml.element("link", "", attributes: [("rel", "self"), ("href", writer.links.base + Self.path)])
        if let next {
            xml.element("link", "", attributes: [("rel", "next"), ("href", writer.links.base + Self.path + "?after=" + next)])
        }
        for event in events {
            xml.open("entry")
            xml.element("id", "urn:siko:\(writer.sender):event:\(event.id)")
            let mark = event.messageType.mark(language: .de).map { "\($0): " } ?? ""
            xml.element("title", mark + (event.title.isEmpty ? event.id : event.title))
            xml.element("updated", Self.time(event.publishedAt))
            xml.open("author")
            xml.element("name", reference.partner(event.publisher)?.name ?? event.publisher)
            xml.close("author")
            xml.element("link", "", attributes: [("rel", "alternate"), ("type", "application/cap+xml"), ("href", writer.links.base + "/v1/events/" + event.id)])
            xml.element("link", "", attributes: [("rel", "related"), ("type", "text/html"), ("href", writer.links.event(event.id))])
            let areas = event.areas.map { reference.areas.area($0)?.name ?? $0 }.joined(separator: ", ")
            xml.element("summary", [reference.topic(event.topic)?.name ?? event.topic, areas, event.urgency.label(language: .de)].joined(separator: " – "))
            xml.open("content", attributes: [("type", "application/cap+xml")])
            xml.raw(writer.element(event, reference: reference))
            xml.close("content")
            xml.close("entry")
        }
        xml.close("feed")
        return xml.text
    }

    /// RFC 3339 in UTC, whole seconds.
    static func time(_ date: Date) -> String {
        CAPTime.format(date, in: TimeZone(identifier: "UTC")!).replacingOccurrences(of: "+00:00", with: "Z")
    }
}
