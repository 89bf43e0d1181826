import Foundation
import SikoDelivery
import SikoModel

/// What a test notification made: the delivery to follow (`GET /v1/deliveries/{id}`) and the
/// event it carries.
public struct TestNotification: Sendable, Equatable {
    public var deliveryId: String
    public var eventId: String
    public var subscriptionId: String

    public init(deliveryId: String, eventId: String, subscriptionId: String) {
        self.deliveryId = deliveryId
        self.eventId = eventId
        self.subscriptionId = subscriptionId
    }
}

/// Sends a test notification to one subscription through the real delivery path: the event and its
/// one delivery are stored with the audit entry in one transaction, and the dispatcher sends it to
/// the subscription's target as it is then, signed with its secret, like any other delivery.
/// Matching and the policies are left out (`TestNotice`), so no other subscription receives it and
/// it counts toward no flood limit or duplicate window.
public struct TestNotificationService: Sendable {
    let subscriptions: any SubscriptionStore
    let events: any EventStore
    let reference: @Sendable () -> ReferenceData
    let planner: DeliveryPlanner
    let wake: WakeSignal
    let clock: any WallClock

    public init(
        subscriptions: any SubscriptionStore, events: any EventStore, reference: @escaping @Sendable () -> ReferenceData,
        planner: DeliveryPlanner = DeliveryPlanner(), wake: WakeSignal, clock: any WallClock
    ) {
        self.subscriptions = subscriptions
        self.events = events
        self.reference = reference
        self.planner = planner
        self.wake = wake
        self.clock = clock
    }

    /// The subscription's own partner or an admin may; another partner's subscription, like a
    /// deleted one, is not found. A disabled one is refused: nothing is ever sent for it.
    public func sendTest(subscriptionID: String, by identity: Identity) async throws -> TestNotification {
        try identity.require(.subscriptionsManage)
        guard let subscription = try await subscriptions.subscription(id: subscriptionID), identity.owns(subscription.partner) else {
            throw ServiceError.notFound("subscription \(subscriptionID)")
        }
        guard subscription.enabled else {
            throw ServiceError.conflict(
                type: "subscription-inactive", title: "Subscription inactive",
                detail: "Das Abonnement ist deaktiviert; für ein deaktiviertes Abonnement wird nichts gesendet, auch keine Testnachricht. "
                    + "Bitte zuerst aktivieren. (The subscription is disabled, so nothing is sent for it, not even a test; enable it first.)"
            )
        }
        let now = clock.now()
        let notice = TestNotice(to: subscription, fallbackTopic: reference().topics.first?.id ?? "lagebild", planner: planner, now: now)
        let audit = identity.auditRecord(
            .subscriptionTest, object: subscription.id, detail: "\(notice.delivery.id), \(subscription.channel.rawValue)", at: now
        )
        _ = try await events.publish(PublishRequest(event: notice.event, idempotencyKey: nil, deliveries: [notice.delivery], audit: audit))
        wake.signal()
        return TestNotification(deliveryId: notice.delivery.id, eventId: notice.event.id, subscriptionId: subscription.id)
    }
}
