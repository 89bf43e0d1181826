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
        enabled = subscription.enabled
        disabledReason = subscription.disabledReason
        createdAt = subscription.createdAt
        updatedAt = subscription.updatedAt
        self.secret = secret
    }
}

struct SubscriptionList: Encodable {
    var subscriptions: [SubscriptionView]
}
