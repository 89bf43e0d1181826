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

    /// `work` on a connection of the pool, given up on after `operationBound` (`givingUp`); a
    /// connection given up on is closed, so the server rolls back what it had begun and the pool
    /// never hands out a connection that is still in use.
    static func onConnection<T: Sendable>(
        _ client: PostgresClient, _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await givingUp(after: operationBound, abandoning: { try? await connection.close() }) { try await work(connection) }
        }
    }

    /// `work`'s result, or `PostgresUnreachable` once `limit` has passed. Late work is cancelled
    /// and left behind (after `abandoning`) rather than awaited: nothing can make a promise answer
    /// whose connection dropped. It may still complete afterwards, which the refusal's detail
    /// tells the client (`StoreRefusal.unreachable`: repeat with the same key). Cancelling the
    /// caller cancels `work` and ends the wait at once, so a draining gateway is never held by it.
    static func givingUp<T: Sendable>(
        after limit: Duration, abandoning: @escaping @Sendable () async -> Void = {}, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try Task.checkCancellation()
        let handover = Handover<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                handover.waiting.withLock { $0 = continuation }
                let worker = Task {
                    let result = await Result(catching: { try await work() })
                    _ = handover.answer(result)
                }
                handover.worker.withLock { $0 = worker }
                let timer = Task {
                    try await Task.sleep(for: limit)
                    guard handover.isWaiting else { return }
                    worker.cancel()
                    await abandoning()
                    _ = handover.answer(.failure(PostgresUnreachable()))
                }
                handover.timer.withLock { $0 = timer }
                if !handover.isWaiting { timer.cancel() }
            }
        } onCancel: {
            if handover.answer(.failure(CancellationError())) { handover.worker.withLock { $0?.cancel() } }
        }
    }
}

/// The waiting caller of `givingUp`, answered once: by the work, the timer or cancellation,
/// whichever comes first; the timer is stopped as soon as an answer is given.
private final class Handover<T: Sendable>: Sendable {
    let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let worker = Mutex<Task<Void, Never>?>(nil)
    let timer = Mutex<Task<Void, any Error>?>(nil)

    var isWaiting: Bool { waiting.withLock { $0 != nil } }

    /// False when the caller was answered already.
    func answer(_ result: Result<T, any Error>) -> Bool {
        guard let continuation = waiting.withLock({ state in defer { state = nil }; return state }) else { return false }
        timer.withLock { $0?.cancel() }
        continuation.resume(with: result)
        return true
    }
}

private extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
