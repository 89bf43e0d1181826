import Foundation
import SikoModel

/// The JSON body of an outbound webhook (CONTRACT.md, "Outbound webhooks").
public struct WebhookPayload: Encodable, Sendable {
    public var type = "event.published"
    public var deliveryId: String
    public var subscriptionId: String
    public var event: EventBody

    public struct EventBody: Encodable, Sendable {
        var id: String
        var externalId: String?
        var publisher: String
        var topic: String
        var urgency: Urgency
        var areas: [String]
        var title: String
        var body: String?
        var classification: Classification
        var publishedAt: Date
        var expiresAt: Date?
        var data: JSONValue

        // Absent optionals are written as null, so receivers always see every field.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(externalId, forKey: .externalId)
            try container.encode(publisher, forKey: .publisher)
            try container.encode(topic, forKey: .topic)
            try container.encode(urgency, forKey: .urgency)
            try container.encode(areas, forKey: .areas)
            try container.encode(title, forKey: .title)
            try container.encode(body, forKey: .body)
            try container.encode(classification, forKey: .classification)
            try container.encode(publishedAt, forKey: .publishedAt)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(data, forKey: .data)
        }

        enum CodingKeys: String, CodingKey {
            case id, externalId, publisher, topic, urgency, areas, title, body, classification, publishedAt, expiresAt, data
        }
    }

    public init(job: DeliveryJob) {
        let event = job.event
        deliveryId = job.delivery.id
        subscriptionId = job.delivery.subscriptionId
        self.event = EventBody(
            id: event.id, externalId: event.externalId, publisher: event.publisher, topic: event.topic,
            urgency: event.urgency, areas: event.areas, title: event.title, body: event.body,
            classification: event.classification, publishedAt: event.publishedAt, expiresAt: event.expiresAt,
            data: event.data ?? .object([:])
        )
    }

    public func encoded() throws -> Data { try JSONCoding.encoder().encode(self) }
}
