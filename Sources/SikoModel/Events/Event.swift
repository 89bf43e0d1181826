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
    /// An exercise (Übung): every channel marks it "ÜBUNG", so nobody mistakes it for the real thing.
    public var exercise: Bool
    /// A test notification to one subscription (`POST /v1/subscriptions/{id}/test`): every channel
    /// marks it "TESTNACHRICHT"; it matched nobody and no policy counts it.
    public var test: Bool
    /// When retention removed the title, body and data (they read empty from then on).
    public var purgedAt: Date?
    /// An alert, or an update, cancellation or answer to the events in `references`.
    public var messageType: MessageType
    /// The earlier events this one updates, cancels or answers, the chain's original first.
    public var references: [String]
    /// The title and body in further languages; the event's own are German where the publisher sent German.
    public var translations: [EventTranslation]

    public init(
        id: String, externalId: String?, publisher: String, topic: String, urgency: Urgency,
        areas: [String], title: String, body: String?, classification: Classification,
        publishedAt: Date, expiresAt: Date?, data: JSONValue?, exercise: Bool = false, test: Bool = false, purgedAt: Date? = nil,
        messageType: MessageType = .alert, references: [String] = [], translations: [EventTranslation] = []
    ) {
        self.purgedAt = purgedAt
        self.messageType = messageType
        self.references = references
        self.translations = translations
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
        self.exercise = exercise
        self.test = test
    }

    enum CodingKeys: String, CodingKey {
        case id, externalId, publisher, topic, urgency, areas, title, body, classification, publishedAt, expiresAt, data, exercise, test, purgedAt
        case messageType, references, translations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            externalId: try container.decodeIfPresent(String.self, forKey: .externalId),
            publisher: try container.decode(String.self, forKey: .publisher),
            topic: try container.decode(String.self, forKey: .topic),
            urgency: try container.decode(Urgency.self, forKey: .urgency),
            areas: try container.decode([String].self, forKey: .areas),
            title: try container.decode(String.self, forKey: .title),
            body: try container.decodeIfPresent(String.self, forKey: .body),
            classification: try container.decode(Classification.self, forKey: .classification),
            publishedAt: try container.decode(Date.self, forKey: .publishedAt),
            expiresAt: try container.decodeIfPresent(Date.self, forKey: .expiresAt),
            data: try container.decodeIfPresent(JSONValue.self, forKey: .data),
            exercise: try container.decodeIfPresent(Bool.self, forKey: .exercise) ?? false,
            test: try container.decodeIfPresent(Bool.self, forKey: .test) ?? false,
            purgedAt: try container.decodeIfPresent(Date.self, forKey: .purgedAt),
            messageType: try container.decodeIfPresent(MessageType.self, forKey: .messageType) ?? .alert,
            references: try container.decodeIfPresent([String].self, forKey: .references) ?? [],
            translations: try container.decodeIfPresent([EventTranslation].self, forKey: .translations) ?? []
        )
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
        try container.encode(exercise, forKey: .exercise)
        try container.encode(test, forKey: .test)
        try container.encode(messageType, forKey: .messageType)
        try container.encode(references, forKey: .references)
        try container.encode(translations, forKey: .translations)
        // Only once purged: webhook receivers never see the field.
        try container.encodeIfPresent(purgedAt, forKey: .purgedAt)
    }
}

extension Event {
    /// The event as a subscriber reading `language` gets it: the translation into it, where there is one.
    public func localized(for language: Language) -> Event {
        guard let translation = translations.first(where: { $0.language == language }) else { return self }
        var event = self
        event.title = translation.title
        event.body = translation.body
        return event
    }

    /// The original of the chain this event belongs to: itself for an alert.
    public var original: String { references.first ?? id }
}
