import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// One gateway's connections to its PostgreSQL database: a pool (postgres-nio's `PostgresClient`)
/// running for the gateway's lifetime, and the migrations that bring the schema up to date.
public final class PostgresPool: Sendable {
    public let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    public init(url: PostgresURL, logger: Logger) throws {
        self.url = url
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: try Self.tls(url)
        )
        if url.sslMode == .verifyFull { configuration.options.tlsServerName = url.host }
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
    }

    /// Closes the pool's connections.
    public func shutdown() async {
        running.cancel()
        await running.value
    }

    static func tls(_ url: PostgresURL) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable:
            return .disable
        case .prefer, .require:
            // As libpq: encrypted, but the certificate is only checked with verify-full.
            tls.certificateVerification = .none
            return url.sslMode == .prefer ? .prefer(tls) : .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            tls.trustRoots = .file(url.sslRootCert ?? "")
            return .require(tls)
        }
    }

    /// Runs SQL text, statement by statement, in one transaction: for what no role does (a test's
    /// change behind the store's back, an operator's repair).
    public func execute(_ statements: String...) async throws {
        try await client.withTransaction(logger: logger) { connection in
            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        }
    }

    /// The advisory lock that serialises migrations: gateways starting together migrate once.
    static let migrationLock: Int64 = 0x5_1C0_0001

    /// Applies the migrations this database has not seen, in order, each in its own transaction,
    /// under an advisory lock held by one gateway at a time. Answers the names applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await migrate(PostgresSchema.migrations)
    }

    func migrate(_ migrations: [PostgresSchema.Migration]) async throws -> [String] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
            do {
                let applied = try await apply(migrations, on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                return applied
            } catch {
                // The lock is the session's: closing the connection would release it too, but the
                // pool keeps connections, so give it back here.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                throw error
            }
        }
    }

    private func apply(_ migrations: [PostgresSchema.Migration], on connection: PostgresConnection) async throws -> [String] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS siko_migration (name text PRIMARY KEY, applied_at bigint NOT NULL)
            """, logger: logger)
        var seen: Set<String> = []
        for try await name in try await connection.query("SELECT name FROM siko_migration", logger: logger).decode(String.self) {
            seen.insert(name)
        }
        var applied: [String] = []
        for migration in migrations where !seen.contains(migration.name) {
            let millis = Int64(Date().timeIntervalSince1970 * 1000)
            do {
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO siko_migration (name, applied_at) VALUES (\(migration.name), \(millis))", logger: logger)
                }
            } catch {
                throw MigrationFailed(migration: migration.name, reason: Self.reason(error))
            }
            logger.notice("migrated the PostgreSQL store", metadata: ["migration": "\(migration.name)"])
            applied.append(migration.name)
        }
        return applied
    }
}

/// A migration the database refused; nothing of it was applied.
public struct MigrationFailed: Error, CustomStringConvertible {
    public var migration: String
    public var reason: String
    public var description: String { "the PostgreSQL store could not apply migration '\(migration)': \(reason)" }
}

extension PostgresPool {
    /// What the server said, without postgres-nio's wrapping.
    public static func reason(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
            return reason(inner)
        }
        if let psql = error as? PSQLError, let message = psql.serverInfo?[.message] { return message }
        return "\(error)"
    }
}
