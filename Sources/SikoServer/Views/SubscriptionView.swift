import Foundation
import SikoModel

struct SubscriptionView: Encodable {
    var id: String
    var partner: String
    var name: String
    var areas: [String]
    var topics: [String]
    var minUrgency: Urgency
    var channel: ChannelKind
    var target: String
    var language: Language
    var format: PayloadFormat
    var enabled: Bool
    var disabledReason: String?
    var createdAt: Date
    var updatedAt: Date
    /// The webhook signing secret, shown once: in the answer that created the subscription.
    var secret: String?

    init(_ subscription: Subscription, secret: String? = nil) {
        id = subscription.id
        partner = subscription.partner
        name = subscription.name
        areas = subscription.areas
        topics = subscription.topics
        minUrgency = subscription.minUrgency
        channel = subscription.channel
        target = subscription.target
        language = subscription.language
        format = subscription.format
        enabled = subscription.enabled
        disabledReason = subscription.disabledReason
        createdAt = subscription.createdAt
        updatedAt = subscription.updatedAt
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, partner, name, areas, topics, minUrgency, channel, target, language, format, enabled, disabledReason, createdAt, updatedAt, secret
    }

    /// `disabledReason` is always present (null when enabled); `secret` only in the answer that created it.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(partner, forKey: .partner)
        try container.encode(name, forKey: .name)
        try container.encode(areas, forKey: .areas)
        try container.encode(topics, forKey: .topics)
        try container.encode(minUrgency, forKey: .minUrgency)
        try container.encode(channel, forKey: .channel)
        try container.encode(target, forKey: .target)
        try container.encode(language, forKey: .language)
        try container.encode(format, forKey: .format)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(disabledReason, forKey: .disabledReason)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(secret, forKey: .secret)
    }
}

struct SubscriptionList: Encodable {
    var subscriptions: [SubscriptionView]
}
