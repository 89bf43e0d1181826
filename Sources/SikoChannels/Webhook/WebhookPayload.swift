import Foundation
import SikoModel

/// The JSON body of an outbound webhook (CONTRACT.md, "Outbound webhooks"):
/// `{"deliveryId": …, "event": {…}, "subscriptionId": …, "type": "event.published"}`.
///
/// The event part is the same for every delivery of an event, so it is encoded once and the
/// envelope is assembled around it.
public enum WebhookPayload {
    private static let encoder = JSONCoding.encoder()

    /// The title a teaser carries instead of the event's own; body and data stay empty.
    public static let teaserTitle = "Neue Meldung – VS-NfD – bitte im Portal abrufen"

    /// The event as receivers see it; `data` is an object even when the publisher sent none. A
    /// teaser keeps the routing fields (topic, urgency, areas, times) and drops title, body and data.
    public static func eventJSON(_ event: Event, content: DeliveryContent = .full) throws -> [UInt8] {
        var event = event
        event.data = event.data ?? .object([:])
        if content == .teaser {
            event.title = teaserTitle
            event.body = nil
            event.data = .object([:])
        }
        return try write(event)
    }

    /// The event written directly, byte for byte as the encoder writes it (sorted keys, nulls
    /// spelled out); only `data`, which may hold anything, still goes through the encoder. With
    /// JSONEncoder the event was a tenth of a webhook's CPU.
    static func write(_ event: Event) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384 + event.title.utf8.count + (event.body?.utf8.count ?? 0))
        func field(_ name: String, _ value: [UInt8]) {
            out.append(out.isEmpty ? 0x7B : 0x2C)
            out += JSONCoding.quoted(name)
            out.append(0x3A)
            out += value
        }
        let null = Array("null".utf8)
        func text(_ value: String?) -> [UInt8] { value.map(JSONCoding.quoted) ?? null }
        func flag(_ value: Bool) -> [UInt8] { Array((value ? "true" : "false").utf8) }
        let data: [UInt8] = if case .object(let members)? = event.data, members.isEmpty { Array("{}".utf8) } else { Array(try encoder.encode(event.data)) }
        field("areas", [0x5B] + event.areas.map(JSONCoding.quoted).joined(separator: [0x2C]) + [0x5D])
        field("body", text(event.body))
        field("classification", JSONCoding.quoted(event.classification.rawValue))
        field("data", data)
        field("exercise", flag(event.exercise))
        field("expiresAt", text(event.expiresAt.map(JSONCoding.format)))
        field("externalId", text(event.externalId))
        field("id", JSONCoding.quoted(event.id))
        field("messageType", JSONCoding.quoted(event.messageType.rawValue))
        field("publishedAt", JSONCoding.quoted(JSONCoding.format(event.publishedAt)))
        field("publisher", JSONCoding.quoted(event.publisher))
        if let purgedAt = event.purgedAt { field("purgedAt", JSONCoding.quoted(JSONCoding.format(purgedAt))) }
        field("references", [0x5B] + event.references.map(JSONCoding.quoted).joined(separator: [0x2C]) + [0x5D])
        field("test", flag(event.test))
        field("title", JSONCoding.quoted(event.title))
        field("topic", JSONCoding.quoted(event.topic))
        field("translations", event.translations.isEmpty ? Array("[]".utf8) : Array(try encoder.encode(event.translations)))
        field("urgency", JSONCoding.quoted(event.urgency.rawValue))
        out.append(0x7D)
        return out
    }

    public static func body(deliveryId: String, subscriptionId: String, eventJSON: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(eventJSON.count + 128)
        body += Array(#"{"deliveryId":"#.utf8)
        body += JSONCoding.quoted(deliveryId)
        body += Array(#","event":"#.utf8)
        body += eventJSON
        body += Array(#","subscriptionId":"#.utf8)
        body += JSONCoding.quoted(subscriptionId)
        body += Array(#","type":"event.published"}"#.utf8)
        return body
    }
}
