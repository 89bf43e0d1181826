import Foundation

/// Why a subscription's open deliveries are suppressed when it stops. The texts are what partners
/// read as a delivery's last error.
public enum SubscriptionStop {
    public static let deleted = "subscription deleted"

    public static func disabled(_ reason: String?) -> String { "subscription disabled" + (reason.map { ": " + $0 } ?? "") }
}

/// The gateway disabling a subscription itself: what it stores as the reason, and what its open
/// deliveries are suppressed with.
public struct SubscriptionDisabling: Sendable, Equatable {
    public var disabledReason: String?
    public var suppressionReason: String

    public init(disabledReason: String?, suppressionReason: String) {
        self.disabledReason = disabledReason
        self.suppressionReason = suppressionReason
    }

    /// Failing without a success for too long (`reason` says how long).
    public static func failing(_ reason: String) -> SubscriptionDisabling {
        SubscriptionDisabling(disabledReason: reason, suppressionReason: SubscriptionStop.disabled(reason))
    }
}

/// What an attempt's result says about its subscription's health.
public enum SubscriptionHealth: Sendable, Equatable {
    /// A success: it is not failing (any more).
    case healthy
    /// A failure: it is failing since this attempt, unless it was already.
    case failing
}

extension DeliveryTransition {
    /// What a receiver's "gone" (webhook 410) does: the subscription is disabled with the
    /// receiver's answer as its reason, and its other open deliveries stop.
    public var disabling: SubscriptionDisabling? {
        guard disablesSubscription else { return nil }
        return SubscriptionDisabling(disabledReason: lastError, suppressionReason: SubscriptionStop.disabled(lastError ?? "gone"))
    }

    /// Nil when the state says nothing about the receiver (suppressed, say).
    public var subscriptionHealth: SubscriptionHealth? {
        switch status {
        case .delivered, .sent: .healthy
        case .failed, .dead: .failing
        case .pending, .sending, .suppressed: nil
        }
    }
}
