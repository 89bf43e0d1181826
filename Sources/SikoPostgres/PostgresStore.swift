import Foundation
import Logging
import PostgresNIO
import SikoModel

/// The shared store: one PostgreSQL database that several gateways use at once. Each role is
/// implemented in its own file with the same decisions as the embedded store (the rules are the
/// model's); what differs is what several processes need: claims with `FOR UPDATE SKIP LOCKED`,
/// uniqueness by constraints instead of a single writer, and the audit chain's append under a
/// transaction-scoped advisory lock. Publishing and completing go through group commit, as in
/// SQLite, so concurrent requests share one transaction and one WAL flush.
public final class PostgresStore: Sendable {
    let database: PostgresPool
    let sealer: any SecretSealing
    let publisher: GroupCommit<PublishRequest, PublishResult>
    let completer: GroupCommit<AttemptResult, Void>

    var client: PostgresClient { database.client }
    var logger: Logger { database.logger }

    /// Brings the schema up to date (under the migration lock) before answering.
    public init(database: PostgresPool, sealer: any SecretSealing) async throws {
        try await database.migrate()
        self.database = database
        self.sealer = sealer
        let logger = database.logger
        publisher = GroupCommit(maxBatch: 512) { batch in
            await Self.flushPublishes(batch, client: database.client, sealer: sealer, logger: logger)
        }
        completer = GroupCommit(maxBatch: 1024) { batch in await Self.flushCompletions(batch, client: database.client, logger: logger) }
    }

    /// Runs `body` in one transaction on a connection of the pool.
    func transaction<T: Sendable>(
        within limit: Duration = operationBound, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await Self.transaction(client, logger, within: limit, body)
    }

    /// A transaction that PostgreSQL chose as a deadlock's victim or could not serialise is run
    /// again (twice at most): with several gateways that is an ordinary outcome, not an error.
    static func transaction<T: Sendable>(
        _ client: PostgresClient, _ logger: Logger, within limit: Duration = operationBound,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var tries = 0
        while true {
            do {
                return try await onConnection(client, within: limit) { connection in
                    try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
                }
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.beginError ?? error.commitError ?? error
                tries += 1
                guard tries < 3, let psql = cause as? PSQLError, let code = psql.serverInfo?[.sqlState], ["40P01", "40001"].contains(code) else {
                    throw cause
                }
            }
        }
    }

    /// Runs one statement outside a transaction; answers how many rows it changed.
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> Int {
        let client = self.client, logger = self.logger
        return try await Self.onConnection(client) { connection in try await connection.execute(query, logger: logger) }
    }

    /// Rows of one query, collected.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let client = self.client, logger = self.logger
        return try await Self.onConnection(client) { connection in try await connection.rows(query, logger: logger) }
    }
}

extension PostgresStore: StoreHealth {
    /// Bounded more tightly than other work: `/ready` must answer while the server is away.
    public func ping() async throws {
        let client = self.client, logger = self.logger
        // Waiting for a connection is bounded too: the pool queues requests while it cannot connect.
        _ = try await Self.givingUp(after: Self.readinessBound) {
            try await Self.onConnection(client, within: Self.readinessBound) { connection in
                try await connection.execute(
                    "INSERT INTO write_probe (id, at) VALUES (1, \(Stored.millis(Date()))) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                    logger: logger
                )
            }
        }
    }
}

extension PostgresConnection {
    /// Rows of one query on this connection (inside a transaction), collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs a statement and answers how many rows it changed.
    @discardableResult
    func execute(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        let result = try await self.query(query, logger: logger).get()
        return result.metadata.rows ?? 0
    }
}

extension PostgresStore: Store {}
