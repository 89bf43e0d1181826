import Foundation
import SikoModel

/// What a finished send changes in admission, decided at once under the dispatcher's lock; the
/// store's postponements follow from it.
struct Settlement {
    /// The receiver asked for a pause (Retry-After): its host's targets wait until then.
    var pause: (targets: [String], until: Date)?
    /// This answer opened the host's breaker: its targets wait for the probe.
    var opened: (targets: [String], until: Date)?
    /// When a send to this host may go again, while its breaker is open.
    var heldUntil: Date?
    var breakerCounts: (open: Int, halfOpen: Int)

    var postponements: [(targets: [String], until: Date)] { [pause, opened].compactMap { $0 } }
}

extension Admission {
    /// Ends a send in admission: holds its host if it asked for a pause, tells its breaker what
    /// the adapter learned of the host, and answers what the store must move.
    mutating func settle(_ delivery: Delivery, _ report: SendReport, took: TimeInterval? = nil, now: Date) -> Settlement {
        var pause: (targets: [String], until: Date)?
        if case .retry(let after?, _) = report.outcome {
            let until = now.addingTimeInterval(after.timeInterval)
            pause = (hold(delivery, until: until, now: now), until)
        }
        let opened = finish(delivery, host: report.host, took: took, now: now)
        return Settlement(pause: pause, opened: opened, heldUntil: heldUntil(delivery, now: now), breakerCounts: breakerCounts)
    }
}

extension DeliveryTransition {
    /// A retry to a host behind an open breaker waits for the probe, not just its schedule.
    func holding(until held: Date?) -> DeliveryTransition {
        guard status == .failed, let held, held > nextAttemptAt ?? .distantPast else { return self }
        var waiting = self
        waiting.nextAttemptAt = held
        return waiting
    }
}
