import CoreMetrics
import Foundation
import SikoModel

/// How often each policy held a delivery back, deferred it or cut it to a teaser:
/// `siko_policy_decisions_total{rule, action}`.
struct PolicyMetrics: Sendable {
    private let counters: [String: Counter]

    init(factory: any MetricsFactory) {
        var counters: [String: Counter] = [:]
        for rule in PolicyRule.allCases {
            for action in ["suppress", "defer", "teaser"] {
                counters["\(rule.rawValue)/\(action)"] = Counter(
                    label: "siko_policy_decisions_total", dimensions: [("rule", rule.rawValue), ("action", action)], factory: factory
                )
            }
        }
        self.counters = counters
    }

    func record(_ deliveries: [Delivery], now: Date) {
        for delivery in deliveries {
            guard let rule = delivery.rule else { continue }
            let action = switch delivery.status {
            case .suppressed: "suppress"
            case _ where (delivery.nextAttemptAt ?? now) > now: "defer"
            default: "teaser"
            }
            counters["\(rule.rawValue)/\(action)"]?.increment()
        }
    }
}
