import Foundation
import SikoModel

/// What a recorded attempt asks of its subscription.
enum FollowUp: Equatable {
    case none
    /// The receiver said the subscription is gone (webhook 410): disable it now.
    case disable(reason: String)
    /// Another failure: disable the subscription, with `reason`, if it has failed without a
    /// success for this long.
    case disableIfFailing(for: Duration, reason: String)

    init(_ result: SendResult, transition: DeliveryTransition) {
        if transition.disablesSubscription {
            self = .disable(reason: transition.lastError ?? Dispatcher.goneReason)
        } else if case .retry = result.report.outcome, let period = result.disableAfter {
            let reason = String(
                format: "deliveries failed without a success for %g days (last error: %@)", Self.days(period), transition.lastError ?? "none"
            )
            self = .disableIfFailing(for: period, reason: reason)
        } else {
            self = .none
        }
    }

    static func days(_ period: Duration) -> Double { Double(period.components.seconds) / 86_400 }
}
