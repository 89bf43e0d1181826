import Foundation

/// Turns the subscriptions an event matched and the policies' decisions into planned deliveries,
/// one per subscription: pending (due now or when quiet hours end) or suppressed with its rule.
public struct DeliveryPlanner: Sendable {
    public init() {}

    public func plan(_ event: Event, for matches: [SubscriptionIndex.Entry], decisions: [PolicyDecision], now: Date) -> [Delivery] {
        zip(matches, decisions).map { match, decision in
            var delivery = pending(event, to: match.subscription, now: now)
            delivery.content = decision.content
            delivery.rule = decision.rule
            switch decision.action {
            case .send(let at):
                delivery.nextAttemptAt = at
            case .suppress:
                delivery.status = .suppressed
                delivery.nextAttemptAt = nil
                delivery.lastError = decision.reason
            }
            return delivery
        }
    }

    /// A test notification's one delivery: due now and in full, decided by no policy.
    public func plan(test event: Event, to subscription: Subscription, now: Date) -> Delivery {
        pending(event, to: subscription, now: now)
    }

    private func pending(_ event: Event, to subscription: Subscription, now: Date) -> Delivery {
        Delivery(
            id: Identifier.make("dlv", at: now), eventId: event.id, subscriptionId: subscription.id,
            partner: subscription.partner, channel: subscription.channel, target: subscription.target,
            status: .pending, nextAttemptAt: now, createdAt: now, updatedAt: now
        )
    }
}
