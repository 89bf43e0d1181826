import Foundation

/// What sending an event would do, subscription by subscription: every subscription whose areas
/// meet the event's, how it matched or why not, and for those that match the policies' decision.
/// An event for a whole region meets every partner's subscriptions, so at most `maximumItems`
/// are spelled out; the counts cover all of them.
public struct Explanation: Sendable {
    public struct Item: Sendable {
        public var subscription: Subscription
        public var match: MatchExplanation
        /// Nil when the subscription does not match.
        public var decision: PolicyDecision?
        /// Nil when the subscription does not match.
        public var outcome: Outcome?
    }

    /// What publishing now would do for one matched subscription.
    public enum Outcome: String, Sendable {
        /// Sent at once.
        case send
        /// Sent later (quiet hours).
        case `defer`
        case suppress

        init(_ action: PolicyDecision.Action, now: Date) {
            switch action {
            case .send(let at): self = at > now ? .defer : .send
            case .suppress: self = .suppress
            }
        }
    }

    /// Over every subscription considered, also those past `maximumItems`.
    public struct Counts: Sendable, Equatable {
        /// Subscriptions whose areas meet the event's.
        public var considered = 0
        /// Those that match: one planned delivery each, suppressed ones included.
        public var matched = 0
        public var send = 0
        public var `defer` = 0
        public var suppress = 0
    }

    public static let maximumItems = 1000

    public var event: Event
    /// Matched subscriptions first, then the others; each group by partner and name; at most `maximumItems`.
    public var items: [Item]
    public var counts: Counts
    /// More subscriptions were considered than `items` spells out.
    public var truncated: Bool { counts.considered > items.count }

    public init(
        event: Event, candidates: [SubscriptionIndex.Entry], matches: [SubscriptionIndex.Entry], decisions: [PolicyDecision],
        areas: AreaTree, now: Date
    ) {
        self.event = event
        var decided: [String: PolicyDecision] = [:]
        for (match, decision) in zip(matches, decisions) { decided[match.subscription.id] = decision }
        var counts = Counts(considered: candidates.count)
        let ordered = candidates.map { candidate in
            let decision = decided[candidate.subscription.id]
            let outcome = decision.map { Outcome($0.action, now: now) }
            switch outcome {
            case .send?: counts.send += 1
            case .defer?: counts.defer += 1
            case .suppress?: counts.suppress += 1
            case nil: break
            }
            return (subscription: candidate.subscription, decision: decision, outcome: outcome)
        }.sorted { lhs, rhs in
            if (lhs.decision != nil) != (rhs.decision != nil) { return lhs.decision != nil }
            return (lhs.subscription.partner, lhs.subscription.name, lhs.subscription.id)
                < (rhs.subscription.partner, rhs.subscription.name, rhs.subscription.id)
        }
        counts.matched = counts.send + counts.defer + counts.suppress
        self.counts = counts
        // Only the items shown are spelled out: a match explanation walks the area tree.
        items = ordered.prefix(Self.maximumItems).map { candidate in
            Item(
                subscription: candidate.subscription,
                match: MatchExplanation(subscription: candidate.subscription, event: event, areas: areas),
                decision: candidate.decision, outcome: candidate.outcome
            )
        }
    }
}
