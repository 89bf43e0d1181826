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
        return Array(try encoder.encode(event))
    }

    public static func body(deliveryId: String, subscriptionId: String, eventJSON: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(eventJSON.count + 128)
        body += Array(#"{"deliveryId":"#.utf8)
        body += try quoted(deliveryId)
        body += Array(#","event":"#.utf8)
        body += eventJSON
        body += Array(#","subscriptionId":"#.utf8)
        body += try quoted(subscriptionId)
        body += Array(#","type":"event.published"}"#.utf8)
        return body
    }

    private static func quoted(_ value: String) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }
}
