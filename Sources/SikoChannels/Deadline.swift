import Synchronization

/// Bounds the time an operation may take as a whole. A task group would wait for its child even
/// after cancelling it, so an operation that ignores cancellation (a blocking call on a thread)
/// would still hold its caller: here the caller is answered at the deadline, and the operation is
/// cancelled and left to end on its own.
public enum Deadline {
    /// The operation's result, or nil when `limit` passed first (or the caller was cancelled).
    public static func run<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
        let outcome = Once<T?>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                outcome.attach(continuation)
                let work = Task { outcome.resolve(await operation()) }
                let timer = Task {
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    outcome.resolve(nil)
                }
                outcome.onResolve {
                    work.cancel()
                    timer.cancel()
                }
            }
        } onCancel: {
            outcome.resolve(nil)
        }
    }
}

/// Resumes a continuation with the first value given; later values are ignored.
private final class Once<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var value: T?
        var resolved = false
        var cleanup: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func attach(_ continuation: CheckedContinuation<T, Never>) {
        let ready: T? = state.withLock { state in
            if state.resolved, let value = state.value { return value }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    /// Runs `cleanup` once resolved (at once if it already is).
    func onResolve(_ cleanup: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            if state.resolved { return true }
            state.cleanup = cleanup
            return false
        }
        if now { cleanup() }
    }

    /// True when this value was the first.
    @discardableResult
    func resolve(_ value: T) -> Bool {
        let (continuation, cleanup, first): (CheckedContinuation<T, Never>?, (@Sendable () -> Void)?, Bool) = state.withLock { state in
            guard !state.resolved else { return (nil, nil, false) }
            state.resolved = true
            state.value = value
            defer { state.continuation = nil; state.cleanup = nil }
            return (state.continuation, state.cleanup, true)
        }
        continuation?.resume(returning: value)
        cleanup?()
        return first
    }
}
