import Crypto
import Foundation
import GRDB
import Logging
import PostgresNIO
import SikoCore
import SikoModel
import SikoPostgres
import SikoSQLite
import SikoTestSupport
import Testing

/// Every engine the contract runs against. A new engine (PostgreSQL) joins by one case here and its
/// branch of `open()`; the suites themselves take only `any Store` and never change.
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh, empty store with the engine's few hooks.
    func open() async throws -> EngineFixture {
        switch self {
        case .sqlite: try SQLiteEngine.open()
        case .postgres: try await PostgresEngine.open()
        }
    }

    /// Runs `body` on a fresh store and removes it afterwards, whether `body` passed or threw.
    func withStore<T>(_ body: (EngineFixture) async throws -> T) async throws -> T {
        let fixture = try await open()
        do {
            let result = try await body(fixture)
            try await fixture.close()
            return result
        } catch {
            try? await fixture.close()
            throw error
        }
    }
}

/// One engine's store under test. The hooks do behind the store's back what only the engine can
/// do; everything the suites check goes through the role protocols.
struct EngineFixture: Sendable {
    let store: any Store
    /// From now on every append to the audit trail fails inside the engine (as a constraint or a
    /// refused write would), while every other write still works. A role that commits its change
    /// in a transaction apart from its audit entry leaves the change behind and fails the suite.
    let refuseAudit: @Sendable () async throws -> Void
    /// Undoes `refuseAudit`.
    let allowAudit: @Sendable () async throws -> Void
    /// Changes the actor of entry `sequence` in place, as someone with the database in hand could.
    let editAudit: @Sendable (_ sequence: Int64) async throws -> Void
    let close: @Sendable () async throws -> Void
}

/// SQLite: a file in a fresh folder; the hooks write through a second connection of their own.
enum SQLiteEngine {
    static func open() throws -> EngineFixture {
        let folder = NSTemporaryDirectory() + "siko-contract-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/siko.sqlite"
        let store = try SQLiteStore(path: path, sealer: SecretSealer(key: SymmetricKey(size: .bits256)))
        return EngineFixture(
            store: store,
            refuseAudit: {
                try behindTheStore(path, """
                    CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END;
                    """)
            },
            allowAudit: { try behindTheStore(path, "DROP TRIGGER refuse_audit") },
            editAudit: { sequence in
                try behindTheStore(path, """
                    DROP TRIGGER IF EXISTS audit_no_update;
                    UPDATE audit SET actor = 'someone-else' WHERE sequence = \(sequence);
                    """)
            },
            close: { try FileManager.default.removeItem(atPath: folder) }
        )
    }

    /// Runs `sql` on a connection of its own to the store's file, then closes it.
    private static func behindTheStore(_ path: String, _ sql: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }
}

/// PostgreSQL: a fresh database in the run's private cluster; the hooks go through a pool of their
/// own, as the cluster's superuser.
enum PostgresEngine {
    static func open() async throws -> EngineFixture {
        try #require(PostgresHarness.available, "\(PostgresHarness.Failure.missing)")
        let url = try PostgresURL(try await PostgresHarness.database())
        var logger = Logger(label: "siko-contract")
        logger.logLevel = .warning
        let pool = try PostgresPool(url: url, logger: logger)
        let store = try await PostgresStore(database: pool, sealer: SecretSealer(key: SymmetricKey(size: .bits256)))
        let behind = try PostgresPool(url: url, logger: logger)
        return EngineFixture(
            store: store,
            refuseAudit: {
                try await behind.execute(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$",
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
            },
            allowAudit: { try await behind.execute("DROP TRIGGER refuse_audit ON audit", "DROP FUNCTION refuse_audit()") },
            editAudit: { sequence in
                try await behind.execute(
                    "ALTER TABLE audit DISABLE TRIGGER audit_no_update", "UPDATE audit SET actor = 'someone-else' WHERE sequence = \(sequence)"
                )
            },
            close: {
                await pool.shutdown()
                await behind.shutdown()
            }
        )
    }
}
