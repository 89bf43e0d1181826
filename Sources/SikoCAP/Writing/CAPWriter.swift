import Foundation
import SikoModel

/// An event as a CAP 1.2 alert that validates against `CAP-v1.2.xsd`: the gateway as sender, times
/// with offset and without fractions, AGS geocodes for the areas, urgency, severity and certainty
/// by the reverse of the README's table; VS-NfD as scope Restricted, without description.
public struct CAPWriter: Sendable {
    public let sender: String
    public let links: Links

    public static let restriction = "VS-NfD – Verschlusssache, nur für den Dienstgebrauch"

    public init(sender: String, links: Links) {
        self.sender = sender
        self.links = links
    }

    /// `SIKO_CAP_SENDER` when set, else the host of the public URL (CAP's sender has no spaces or commas).
    public static func sender(configured: String?, publicURL: String) -> String {
        let chosen = configured.flatMap { $0.isEmpty ? nil : $0 } ?? URLComponents(string: publicURL)?.host ?? "siko-gateway"
        let cleaned = chosen.filter { $0 != " " && $0 != "," && $0 != "<" && $0 != "&" }
        return cleaned.isEmpty ? "siko-gateway" : cleaned
    }

    public func alert(_ event: Event, reference: ReferenceData) -> String {
        var xml = XMLWriter()
        write(event, reference: reference, into: &xml)
        return xml.text
    }

    /// The alert without the XML declaration, to stand inside another document.
    func element(_ event: Event, reference: ReferenceData) -> String {
        var xml = XMLWriter(declaration: false)
        write(event, reference: reference, into: &xml)
        return xml.text
    }

    private func write(_ event: Event, reference: ReferenceData, into xml: inout XMLWriter) {
        let restricted = event.classification == .restricted
        xml.open("alert", attributes: [("xmlns", "urn:oasis:names:tc:emergency:cap:1.2")])
        xml.element("identifier", event.id)
        xml.element("sender", sender)
        xml.element("sent", CAPTime.format(event.publishedAt))
        xml.element("status", event.test ? "Test" : event.exercise ? "Exercise" : "Actual")
        xml.element("msgType", Self.messageType(event.messageType))
        xml.element("scope", restricted ? "Restricted" : "Public")
        if restricted { xml.element("restriction", Self.restriction) }
        // An event's id carries the millisecond it was published, so a reference needs no lookup.
        let references = event.references.compactMap { id in Self.published(id).map { "\(sender),\(id),\(CAPTime.format($0))" } }
        if !references.isEmpty { xml.element("references", references.joined(separator: " ")) }
        let cap = Self.capData(event)
        info(event, language: Self.string(cap["language"]) ?? "de-DE", title: event.title, body: event.body, cap: cap, reference: reference, into: &xml)
        for translation in event.translations {
            info(event, language: translation.language.rawValue, title: translation.title, body: translation.body, cap: cap, reference: reference, into: &xml)
        }
        xml.close("alert")
    }

    private func info(
        _ event: Event, language: String, title: String, body: String?, cap: [String: JSONValue], reference: ReferenceData, into xml: inout XMLWriter
    ) {
        let english = language.lowercased().hasPrefix("en")
        let topic = reference.topic(event.topic)
        let publisher = reference.partner(event.publisher)
        let triple = CAPUrgency.triple(for: event.urgency)
        xml.open("info")
        xml.element("language", language)
        var categories: [String] = []
        if case .array(let values)? = cap["category"] { categories = values.compactMap(Self.string).filter(CAPTopicRule.categories.contains) }
        for category in categories.isEmpty ? ["Security"] : categories { xml.element("category", category) }
        xml.element("event", (english ? topic?.nameEn : nil) ?? topic?.name ?? event.topic)
        xml.element("urgency", triple.urgency)
        xml.element("severity", triple.severity)
        xml.element("certainty", triple.certainty)
        xml.element("expires", event.expiresAt.map { CAPTime.format($0) })
        xml.element("senderName", (english ? publisher?.nameEn : nil) ?? publisher?.name ?? event.publisher)
        xml.element("headline", title.isEmpty ? nil : title)
        if event.classification != .restricted { xml.element("description", body.flatMap { $0.isEmpty ? nil : $0 }) }
        xml.element("web", links.event(event.id))
        xml.open("parameter")
        xml.element("valueName", "siko:topic")
        xml.element("value", event.topic)
        xml.close("parameter")
        let areas = event.areas.compactMap(reference.areas.area)
        xml.open("area")
        xml.element("areaDesc", areas.isEmpty ? event.areas.joined(separator: ", ") : areas.map(\.name).joined(separator: ", "))
        for key in Self.geocodes(event.areas, tree: reference.areas) {
            xml.open("geocode")
            xml.element("valueName", "AGS")
            xml.element("value", key)
            xml.close("geocode")
        }
        xml.close("area")
        xml.close("info")
    }

    /// When the event with this id was published: the id's first 10 characters after the prefix
    /// are its milliseconds in Crockford base32 (`Identifier`).
    static func published(_ id: String) -> Date? {
        guard let underscore = id.firstIndex(of: "_") else { return nil }
        let digits = id[id.index(after: underscore)...].prefix(10)
        guard digits.count == 10 else { return nil }
        var millis: UInt64 = 0
        for character in digits {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            millis = millis << 5 | UInt64(value)
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    static func messageType(_ type: MessageType) -> String {
        switch type {
        case .alert: "Alert"
        case .update: "Update"
        case .cancel: "Cancel"
        case .ack: "Ack"
        case .error: "Error"
        }
    }

    /// 8-digit AGS for each area: a Kreis's key padded with 000, a Bezirk's with zeros; an area
    /// without a key (the region) by the keys of the areas inside it that have one.
    static func geocodes(_ ids: [String], tree: AreaTree) -> [String] {
        var keys: [String] = []
        for id in ids {
            if let ags = tree.area(id)?.ags {
                keys.append(ags + String(repeating: "0", count: max(0, 8 - ags.count)))
            } else {
                let inside = tree.areas.filter { $0.ags != nil && tree.isWithin($0.id, id) }.map(\.id)
                keys += tree.outermost(inside).compactMap { tree.area($0)?.ags }.map { $0 + String(repeating: "0", count: max(0, 8 - $0.count)) }
            }
        }
        var seen: Set<String> = []
        return keys.filter { seen.insert($0).inserted }
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private static func capData(_ event: Event) -> [String: JSONValue] {
        guard case .object(let data)? = event.data, case .object(let cap)? = data["cap"] else { return [:] }
        return cap
    }
}
