import Foundation
import SikoModel

/// The JSON body of an outbound webhook (CONTRACT.md, "Outbound webhooks"):
/// `{"deliveryId": …, "event": {…}, "subscriptionId": …, "type": "event.published"}`.
///
/// The event part is the same for every delivery of an event, so it is encoded once and the
/// envelope is assembled around it.
public enum WebhookPayload {
    private static let encoder = JSONCoding.encoder()

    /// The event as receivers see it; `data` is an object even when the publisher sent none.
    public static func eventJSON(_ event: Event) throws -> [UInt8] {
        var event = event
        event.data = event.data ?? .object([:])
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
