import Foundation

/// A partner's standing order: which events (areas, topics, least urgency) go where (channel, target).
public struct Subscription: Sendable, Codable, Equatable {
    public var id: String
    public var partner: String
    public var name: String
    public var areas: [String]
    /// Empty means every topic.
    public var topics: [String]
    public var minUrgency: Urgency
    public var channel: ChannelKind
    public var target: String
    public var language: Language
    /// Only a webhook takes `.cap`; the validator keeps other channels at `.json`.
    public var format: PayloadFormat
    public var enabled: Bool
    /// Why the gateway disabled it (for example a webhook answering 410 Gone).
    public var disabledReason: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, partner: String, name: String, areas: [String], topics: [String], minUrgency: Urgency,
        channel: ChannelKind, target: String, language: Language, format: PayloadFormat = .json, enabled: Bool = true,
        disabledReason: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.partner = partner
        self.name = name
        self.areas = areas
        self.topics = topics
        self.minUrgency = minUrgency
        self.channel = channel
        self.target = target
        self.language = language
        self.format = format
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
