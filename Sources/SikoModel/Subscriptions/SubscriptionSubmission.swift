/// The body of `POST /v1/subscriptions` or `PATCH /v1/subscriptions/{id}`, before validation.
/// On PATCH, a field left out keeps its value.
public struct SubscriptionSubmission: Sendable, Codable {
    public var name: String?
    public var areas: [String]?
    public var topics: [String]?
    public var minUrgency: String?
    public var channel: String?
    public var target: String?
    public var language: String?
    public var format: String?
    public var enabled: Bool?

    public init(
        name: String? = nil, areas: [String]? = nil, topics: [String]? = nil, minUrgency: String? = nil,
        channel: String? = nil, target: String? = nil, language: String? = nil, format: String? = nil,
        enabled: Bool? = nil
    ) {
        self.name = name
        self.areas = areas
        self.topics = topics
        self.minUrgency = minUrgency
        self.channel = channel
        self.target = target
        self.language = language
        self.format = format
        self.enabled = enabled
    }
}
