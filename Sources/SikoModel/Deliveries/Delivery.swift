import Foundation

/// One notification of one event to one subscription's target over one channel.
public struct Delivery: Sendable, Codable, Equatable {
    public var id: String
    public var eventId: String
    public var subscriptionId: String
    /// The partner who owns the subscription (and so may see the target).
    public var partner: String
    public var channel: ChannelKind
    /// The target as it was when the event was published.
    public var target: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var lastError: String?
    public var nextAttemptAt: Date?
    /// Full content or only the teaser (VS-NfD on a channel that may not carry it).
    public var content: DeliveryContent
    /// The policy that deferred, cut or suppressed it, if any.
    public var rule: PolicyRule?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, eventId: String, subscriptionId: String, partner: String, channel: ChannelKind, target: String,
        status: DeliveryStatus, attempts: Int = 0, lastError: String? = nil, nextAttemptAt: Date?,
        content: DeliveryContent = .full, rule: PolicyRule? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.eventId = eventId
        self.subscriptionId = subscriptionId
        self.partner = partner
        self.channel = channel
        self.target = target
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.content = content
        self.rule = rule
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
