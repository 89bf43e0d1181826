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
    /// How long readiness may wait: a pool whose connections cannot be made queues requests (up
    /// to a minute before its circuit breaker opens), and `/ready` must answer meanwhile.
    static let bound: Duration = .seconds(2)

    /// `work` on a connection of the pool, or `PostgresUnreachable` once `limit` has passed. The
    /// wait for a connection is given up on (the request is cancelled, not awaited); a connection
    /// whose work is late is closed, which fails the query it waits for.
    static func bounded<T: Sendable>(
        _ client: PostgresClient, _ limit: Duration = bound, _ work: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + limit
        let lease = try await ConnectionLease.take(from: client, until: deadline)
        defer { lease.giveBack() }
        let late = LateFlag()
        let watchdog = Task { [connection = lease.connection] in
            try await Task.sleep(until: deadline)
            late.value.store(true, ordering: .relaxed)
            try await connection.close()
        }
        defer { watchdog.cancel() }
        do {
            return try await work(lease.connection)
        } catch {
            if late.value.load(ordering: .relaxed) { throw PostgresUnreachable() }
            throw error
        }
    }
}

/// A connection taken from the pool by a task of its own, which holds it until it is given back;
/// so a caller can stop waiting for a connection the pool may never hand out.
final class ConnectionLease: Sendable {
    let connection: PostgresConnection
    private let release: AsyncStream<Void>.Continuation

    private init(connection: PostgresConnection, release: AsyncStream<Void>.Continuation) {
        self.connection = connection
        self.release = release
    }

    func giveBack() { release.finish() }

    static func take(from client: PostgresClient, until deadline: ContinuousClock.Instant) async throws -> ConnectionLease {
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let handover = Handover()
        return try await withCheckedThrowingContinuation { continuation in
            handover.waiting.withLock { $0 = continuation }
            let holder = Task {
                do {
                    try await client.withConnection { connection in
                        // Held until given back; a caller that has stopped waiting gets nothing, and the connection goes back at once.
                        guard handover.answer(.success(ConnectionLease(connection: connection, release: release))) else { return }
                        for await _ in released {}
                    }
                } catch {
                    _ = handover.answer(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(until: deadline)
                if handover.answer(.failure(PostgresUnreachable())) { holder.cancel() }
            }
        }
    }

    /// The waiting caller, resumed once: with the lease, or with why there is none.
    private final class Handover: Sendable {
        let waiting = Mutex<CheckedContinuation<ConnectionLease, any Error>?>(nil)

        /// False when the caller was answered already.
        func answer(_ result: Result<ConnectionLease, any Error>) -> Bool {
            guard let continuation = waiting.withLock({ state in defer { state = nil }; return state }) else { return false }
            continuation.resume(with: result)
            return true
        }
    }
}

/// Set once an operation's bound has passed.
private final class LateFlag: Sendable {
    let value = Atomic<Bool>(false)
}
