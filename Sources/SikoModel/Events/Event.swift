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
}
