import Foundation

/// A delivery's subscription as a claim sees it.
public enum SubscriptionState: Sendable, Equatable {
    case active
    case disabled(reason: String?)
    /// Deleted, or gone from the store altogether.
    case deleted

    public init(enabled: Bool, disabledReason: String?, deleted: Bool) {
        if deleted { self = .deleted } else if !enabled { self = .disabled(reason: disabledReason) } else { self = .active }
    }

    /// Why nothing more goes out for it, or nil while it is active.
    public var stopReason: String? {
        switch self {
        case .active: nil
        case .disabled(let reason): SubscriptionStop.disabled(reason)
        case .deleted: SubscriptionStop.deleted
        }
    }
}

/// Decides which claimed deliveries go out. Whatever path left a delivery open, nothing is sent for
/// a deleted or disabled subscription: such a delivery is suppressed, and since it was never sent
/// its claim does not count as an attempt (`Lease.attemptsUnsent`). Pure: the engine persists it.
public struct ClaimReview: Sendable, Equatable {
    /// A claimed delivery stopped before its send.
    public struct Stop: Sendable, Equatable {
        public var deliveryId: String
        public var reason: String
        public var attempts: Int

        public init(deliveryId: String, reason: String, attempts: Int) {
            self.deliveryId = deliveryId
            self.reason = reason
            self.attempts = attempts
        }
    }

    public var send: [Delivery]
    public var stop: [Stop]

    /// `subscriptions` by id; a subscription missing from it counts as deleted.
    public init(claimed: [Delivery], subscriptions: [String: SubscriptionState]) {
        send = []
        stop = []
        for delivery in claimed {
            if let reason = (subscriptions[delivery.subscriptionId] ?? .deleted).stopReason {
                stop.append(Stop(deliveryId: delivery.id, reason: reason, attempts: Lease.attemptsUnsent(afterClaim: delivery.attempts)))
            } else {
                send.append(delivery)
            }
        }
    }
}
