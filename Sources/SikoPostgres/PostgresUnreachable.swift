import PostgresNIO
import Synchronization
import SikoModel

/// A store operation that found no server to answer within its bound.
struct PostgresUnreachable: Error, StoreRefusalReporting, CustomStringConvertible {
    var storeRefusal: StoreRefusal? { .unreachable }
    var description: String { "the PostgreSQL server did not answer in time" }
}

extension PSQLError: StoreRefusalReporting {
    /// Connection failures and the server's own "not now" (shutting down, starting, a standby
    /// after failover, out of space) pass once the cause does; every other error is a fault.
    public var storeRefusal: StoreRefusal? {
        switch code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed: return .unreachable
        default: break
        }
        guard let state = serverInfo?[.sqlState] else { return nil }
        switch state {
        case "53100": return .diskFull
        case "25006": return .readOnly
        case "40001", "40P01", "55P03": return .busy
        default: return state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") ? .unreachable : nil
        }
    }
}

extension PostgresStore {
    /// How long readiness may wait: `/ready` must answer while the server is away.
    static let readinessBound: Duration = .seconds(2)
    /// How long an operation may take once it has its connection before the caller stops waiting
    /// for it. Far above what a loaded transaction takes, so it never cuts short real work; it
    /// exists because an operation begun in the instant the server closes its connections can
    /// wait for ever inside postgres-nio (a query written to a channel already torn down is never
    /// answered). Waiting for a connection is the pool's to bound (its circuit breaker).
    static let operationBound: Duration = .seconds(15)

    /// How long a retention purge may take: one transaction over a day's worth of old rows,
    /// which on a large installation is minutes of real work, not a hang.
    static let purgeBound: Duration = .seconds(900)

    /// `work` on a connection of the pool, given up on after `limit` (`givingUp`); a connection
    /// given up on is closed, and the caller answered only once it is, so the server rolls back
    /// what it had begun and the pool never hands the connection out while it is still in use.
    static func onConnection<T: Sendable>(
        _ client: PostgresClient, within limit: Duration = operationBound, _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await givingUp(after: limit, abandoning: {
                try? await connection.close()
                try? await connection.closeFuture.get()
            }) { try await work(connection) }
        }
    }

    /// `work`'s result, or `PostgresUnreachable` once `limit` has passed. Late work is cancelled
    /// and left behind (after `abandoning`) rather than awaited: nothing can make a promise answer
    /// whose connection dropped. It may still complete afterwards, which the refusal's detail
    /// tells the client (`StoreRefusal.unreachable`: repeat with the same key). Cancelling the
    /// caller cancels `work` and ends the wait (after `abandoning`), so a draining gateway is never held by it.
    static func givingUp<T: Sendable>(
        after limit: Duration, abandoning: @escaping @Sendable () async -> Void = {}, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let handover = Handover<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                handover.start(continuation) {
                    let worker = Task {
                        let result = await Result(catching: { try await work() })
                        handover.claim()?.caller.resume(with: result)
                    }
                    let timer = Task {
                        try await Task.sleep(for: limit)
                        guard let (caller, worker) = handover.claim() else { return }
                        worker?.cancel()
                        await abandoning()
                        caller.resume(throwing: PostgresUnreachable())
                    }
                    return (worker, timer)
                }
            }
        } onCancel: {
            guard let (caller, worker) = handover.cancel() else { return }
            worker?.cancel()
            Task {
                await abandoning()
                caller.resume(throwing: CancellationError())
            }
        }
    }
}

/// The waiting caller of `givingUp`, answered once: by the work, the timer or cancellation,
/// whichever claims it first; the timer is stopped as soon as it is claimed.
private final class Handover<T: Sendable>: Sendable {
    typealias Caller = CheckedContinuation<T, any Error>

    private struct State {
        var caller: Caller?
        var worker: Task<Void, Never>?
        var timer: Task<Void, any Error>?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Starts the work and its timer for `caller`, unless the caller was cancelled before it waited.
    func start(_ caller: Caller, _ tasks: () -> (Task<Void, Never>, Task<Void, any Error>)) {
        let cancelled = state.withLock { state in
            guard !state.cancelled else { return true }
            state.caller = caller
            (state.worker, state.timer) = tasks()
            return false
        }
        if cancelled { caller.resume(throwing: CancellationError()) }
    }

    /// The caller, taken for answering, and the work; nil when another path took it.
    func claim() -> (caller: Caller, worker: Task<Void, Never>?)? {
        state.withLock { state in
            guard let caller = state.caller else { return nil }
            state.caller = nil
            state.timer?.cancel()
            return (caller, state.worker)
        }
    }

    func cancel() -> (caller: Caller, worker: Task<Void, Never>?)? {
        state.withLock { $0.cancelled = true }
        return claim()
    }
}

private extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
