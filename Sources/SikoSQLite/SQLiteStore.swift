import Foundation
import GRDB
import SikoModel

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so every commit is
/// synced to disk before it is answered (a 202 survives a power cut; `NORMAL` would not sync the
/// WAL on commit). Publishing and completing go through group commit, so many requests share one
/// transaction and one sync. Each role is implemented in its own file; the rules that decide
/// (give-back, claim review, disabling, receipts, purge eligibility) are the model's, and the
/// statements here only persist what they decide.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    let sealer: any SecretSealing
    let publisher: GroupCommit<PublishRequest, PublishResult>
    let completer: GroupCommit<AttemptResult, Void>

    /// `sealer` seals every secret before it is written and opens it when read.
    public init(path: String, sealer: any SecretSealing) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set on the one writer connection after the pool is open: opening a pool sets NORMAL itself,
        // after `prepareDatabase` has run, which would quietly undo a setting made there.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try SQLiteSchema.migrator.migrate(pool)
        self.pool = pool
        self.sealer = sealer
        publisher = GroupCommit(maxBatch: 512) { batch in await Self.flushPublishes(batch, pool: pool, sealer: sealer) }
        completer = GroupCommit(maxBatch: 1024) { batch in await Self.flushCompletions(batch, pool: pool) }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        let probe = WriteProbeRecord(at: Date())
        try await pool.write { db in try probe.upsert(db) }
    }
}
