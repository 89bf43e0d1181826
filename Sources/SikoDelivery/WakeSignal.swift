import Synchronization

/// Why the dispatcher is woken. Signals coalesce: many signals while nobody waits make one
/// wake-up, which carries all their reasons.
public struct WakeReason: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The store may hold due work a claim has not seen: a new event, a retry request.
    public static let store = WakeReason(rawValue: 1)
    /// A send has ended, so its slot is free.
    public static let slot = WakeReason(rawValue: 2)
    /// Deliveries were handed off and wait to be started.
    public static let handoff = WakeReason(rawValue: 4)
}

/// Wakes an idle dispatcher when there may be work.
public final class WakeSignal: Sendable {
    private struct State {
        var pending: WakeReason = []
        var waiter: (id: Int, continuation: CheckedContinuation<WakeReason, Never>)?
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func signal(_ reason: WakeReason = .store) {
        let waiter = state.withLock { state -> CheckedContinuation<WakeReason, Never>? in
            guard let waiter = state.waiter else {
                state.pending.formUnion(reason)
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: reason)
    }

    /// Returns the reasons on a signal; nothing after `timeout` or when the task is cancelled,
    /// whichever comes first.
    func wait(timeout: Duration) async -> WakeReason {
        if let pending = take() { return pending }
        return await withTaskGroup(of: WakeReason.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return []
            }
            let reasons = await group.next() ?? []
            group.cancelAll()
            // The signal may have come while the timer won: it is not lost.
            var all = reasons
            while let more = await group.next() { all.formUnion(more) }
            return all.union(take() ?? [])
        }
    }

    private func take() -> WakeReason? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
            defer { state.pending = [] }
            return state.pending
        }
    }

    private func waitForSignal() async -> WakeReason {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> WakeReason? in
                    if !state.pending.isEmpty || Task.isCancelled {
                        defer { state.pending = [] }
                        return state.pending
                    }
                    state.waiter = (id, continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<WakeReason, Never>? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume(returning: [])
        }
    }
}
