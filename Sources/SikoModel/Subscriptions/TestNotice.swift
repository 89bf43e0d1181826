import Foundation

/// A test notification to one subscription: an event marked `test`, in the subscription's language,
/// and its one delivery to the subscription's target. It is not matched (no other subscription can
/// receive it) and no policy decides it, so it neither counts toward a flood limit nor opens a
/// duplicate window; it is sent now, quiet hours or not, since someone is waiting to see it arrive.
public struct TestNotice: Sendable, Equatable {
    public var event: Event
    public var delivery: Delivery

    /// The event takes the subscription's first topic (`fallbackTopic` when it takes every topic),
    /// its least urgency and its areas, so a receiver that routes by them routes the test as it
    /// would a real event.
    public init(to subscription: Subscription, fallbackTopic: String, planner: DeliveryPlanner = DeliveryPlanner(), now: Date) {
        let text = Self.text(for: subscription)
        event = Event(
            id: Identifier.make("evt", at: now), externalId: nil, publisher: subscription.partner,
            topic: subscription.topics.first ?? fallbackTopic, urgency: subscription.minUrgency, areas: subscription.areas,
            title: text.title, body: text.body, classification: .public, publishedAt: now, expiresAt: nil, data: nil, test: true
        )
        delivery = planner.plan(test: event, to: subscription, now: now)
    }

    /// Title and body in the subscription's language. Plain quotes, since „“ are not in the GSM
    /// alphabet and would halve what an SMS can carry.
    static func text(for subscription: Subscription) -> (title: String, body: String) {
        let name = subscription.name
        switch subscription.language {
        case .de:
            return (
                "Test des Abonnements \"\(name)\"",
                "Dies ist eine Testnachricht des SiKo Gateways für das Abonnement \"\(name)\". Sie prüft nur den Zustellweg; es ist nichts zu tun."
            )
        case .en:
            return (
                "Test of the subscription \"\(name)\"",
                "This is a test message from the SiKo Gateway for the subscription \"\(name)\". It only checks the delivery path; no action is needed."
            )
        }
    }
}
