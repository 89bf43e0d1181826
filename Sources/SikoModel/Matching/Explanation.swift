/// What sending an event would do, subscription by subscription: every subscription whose areas
/// meet the event's, how it matched or why not, and for those that match the policies' decision.
public struct Explanation: Sendable {
    public struct Item: Sendable {
        public var subscription: Subscription
        public var match: MatchExplanation
        /// Nil when the subscription does not match.
        public var decision: PolicyDecision?
    }

    public var event: Event
    /// Matched subscriptions first, then the others; each group by partner and name.
    public var items: [Item]

    public init(event: Event, candidates: [SubscriptionIndex.Entry], matches: [SubscriptionIndex.Entry], decisions: [PolicyDecision], areas: AreaTree) {
        self.event = event
        var decided: [String: PolicyDecision] = [:]
        for (match, decision) in zip(matches, decisions) { decided[match.subscription.id] = decision }
        items = candidates.map { candidate in
            Item(
                subscription: candidate.subscription,
                match: MatchExplanation(subscription: candidate.subscription, event: event, areas: areas),
                decision: decided[candidate.subscription.id]
            )
        }
        items.sort { lhs, rhs in
            if (lhs.decision != nil) != (rhs.decision != nil) { return lhs.decision != nil }
            return (lhs.subscription.partner, lhs.subscription.name, lhs.subscription.id)
                < (rhs.subscription.partner, rhs.subscription.name, rhs.subscription.id)
        }
    }
}
