import Foundation

/// The body of `POST /v1/events` as a publisher sent it, before validation.
public struct EventSubmission: Sendable, Codable, Equatable {
    public var externalId: String?
    public var topic: String?
    public var urgency: String?
    public var areas: [String]?
    public var title: String?
    public var body: String?
    public var classification: String?
    public var expiresAt: Date?
    public var data: JSONValue?
    public var exercise: Bool?

    public init(
        externalId: String? = nil, topic: String? = nil, urgency: String? = nil, areas: [String]? = nil,
        title: String? = nil, body: String? = nil, classification: String? = nil, expiresAt: Date? = nil,
        data: JSONValue? = nil, exercise: Bool? = nil
    ) {
        self.externalId = externalId
        self.topic = topic
        self.urgency = urgency
        self.areas = areas
        self.title = title
        self.body = body
        self.classification = classification
        self.expiresAt = expiresAt
        self.data = data
        self.exercise = exercise
    }
}
