import Foundation

/// Something a partner reported, as stored and passed on to receivers.
public struct Event: Sendable, Codable, Equatable {
    public var id: String
    public var externalId: String?
    public var publisher: String
    public var topic: String
    public var urgency: Urgency
    public var areas: [String]
    public var title: String
    public var body: String?
    public var classification: Classification
    public var publishedAt: Date
    public var expiresAt: Date?
    public var data: JSONValue?

    public init(
        id: String, externalId: String?, publisher: String, topic: String, urgency: Urgency,
        areas: [String], title: String, body: String?, classification: Classification,
        publishedAt: Date, expiresAt: Date?, data: JSONValue?
    ) {
        self.id = id
        self.externalId = externalId
        self.publisher = publisher
        self.topic = topic
        self.urgency = urgency
        self.areas = areas
        self.title = title
        self.body = body
        self.classification = classification
        self.publishedAt = publishedAt
        self.expiresAt = expiresAt
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case id, externalId, publisher, topic, urgency, areas, title, body, classification, publishedAt, expiresAt, data
    }

    /// Every field is written, absent ones as null, so receivers and API clients always see the same shape.
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
}
