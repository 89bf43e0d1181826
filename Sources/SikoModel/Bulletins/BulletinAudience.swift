import Foundation

/// Who would receive a bulletin if it were published now, by partner and channel, and what the
/// policies would do: drawn from the same explanation as `POST /v1/explain`.
public struct BulletinAudience: Sendable {
    /// The matched subscriptions of one partner on one channel.
    public struct Group: Sendable, Equatable {
        public var partner: String
        public var partnerName: String
        public var channel: ChannelKind
        /// Matched subscriptions; each is one planned delivery.
        public var subscriptions: Int
        public var send: Int
        /// Held back until later (quiet hours).
        public var deferred: Int
        public var suppressed: Int
        /// Sent as a teaser only (VS-NfD on a channel that may not carry it).
        public var teaser: Int
        /// How many deliveries each rule would hold back, defer or cut.
        public var rules: [PolicyRule: Int]
    }

    /// By partner id, then channel.
    public var groups: [Group]
    /// Over every subscription considered, also those the explanation does not spell out.
    public var counts: Explanation.Counts
    /// More subscriptions were considered than the groups count (see `Explanation.maximumItems`).
    public var truncated: Bool
    /// The explanation itself, subscription by subscription, other partners' masked.
    public var explanation: Explanation

    public init(_ explanation: Explanation, reference: ReferenceData) {
        var groups: [String: Group] = [:]
        for item in explanation.items {
            guard let decision = item.decision, let outcome = item.outcome else { continue }
            let subscription = item.subscription
            let key = subscription.partner + "\u{0}" + subscription.channel.rawValue
            var group = groups[key] ?? Group(
                partner: subscription.partner, partnerName: reference.partner(subscription.partner)?.name ?? subscription.partner,
                channel: subscription.channel, subscriptions: 0, send: 0, deferred: 0, suppressed: 0, teaser: 0, rules: [:]
            )
            group.subscriptions += 1
            switch outcome {
            case .send: group.send += 1
            case .defer: group.deferred += 1
            case .suppress: group.suppressed += 1
            }
            if decision.content == .teaser { group.teaser += 1 }
            if let rule = decision.rule { group.rules[rule, default: 0] += 1 }
            groups[key] = group
        }
        self.groups = groups.values.sorted { ($0.partner, $0.channel.rawValue) < ($1.partner, $1.channel.rawValue) }
        counts = explanation.counts
        truncated = explanation.truncated
        self.explanation = explanation
    }
}
