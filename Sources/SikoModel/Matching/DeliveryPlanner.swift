import Foundation

/// Turns the subscriptions an event matched into planned deliveries, one per subscription.
/// Pure: the place where policies (quiet hours, classification, expiry) decide how and when.
public struct DeliveryPlanner: Sendable {
    public init() {}

    public func plan(_ event: Event, for matches: [SubscriptionIndex.Entry], now: Date) -> [Delivery] {
        matches.map { match in
            let subscription = match.subscription
            return Delivery(
                id: Identifier.make("dlv", at: now), eventId: event.id, subscriptionId: subscription.id,
                partner: subscription.partner, channel: subscription.channel, target: subscription.target,
                status: .pending, nextAttemptAt: now, createdAt: now, updatedAt: now
            )
        }
    }
}
