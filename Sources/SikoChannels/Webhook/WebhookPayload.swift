import Foundation
import SikoModel

/// The JSON body of an outbound webhook (CONTRACT.md, "Outbound webhooks").
public struct WebhookPayload: Encodable, Sendable {
    public var type = "event.published"
    public var deliveryId: String
    public var subscriptionId: String
    public var event: Event

    public init(job: DeliveryJob) {
        deliveryId = job.delivery.id
        subscriptionId = job.delivery.subscriptionId
        event = job.event
        // Receivers get an object to read from even when the publisher passed no data.
        event.data = job.event.data ?? .object([:])
    }

    private static let encoder = JSONCoding.encoder()

    public func encoded() throws -> Data { try Self.encoder.encode(self) }
}
