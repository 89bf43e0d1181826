import Synchronization

/// Spaces sends evenly to at most `perSecond` (a gateway's or relay's limit); concurrent callers
/// each get the next free slot. Nil or zero means no limit.
final class Pacer: Sendable {
    private let interval: Duration?
    private let nextSlot = Mutex<ContinuousClock.Instant?>(nil)

    init(perSecond: Double?) {
        interval = perSecond.flatMap { $0 > 0 ? .nanoseconds(Int64(1e9 / $0)) : nil }
    }

    /// Waits for this caller's slot.
    func wait() async {
        guard let interval else { return }
        let slot = nextSlot.withLock { next in Self.claim(&next, now: .now, interval: interval) }
        if slot > .now { try? await Task.sleep(until: slot) }
    }

    /// The slot for a caller arriving at `now`; advances `next` past it. Pure, for the tests.
    static func claim(_ next: inout ContinuousClock.Instant?, now: ContinuousClock.Instant, interval: Duration) -> ContinuousClock.Instant {
        let slot = max(next ?? now, now)
        next = slot + interval
        return slot
    }
}
