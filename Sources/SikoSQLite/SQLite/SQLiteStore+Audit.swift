import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    public func appendAudit(_ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in try Self.appendAudit(records, db: db) }
    }

    /// Links each record to the last one; SQLite's single writer keeps the chain in order.
    static func appendAudit(_ records: [AuditRecord], db: Database) throws {
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1"))
        var sequence: Int64 = last?["sequence"] ?? 0
        var previous: String = last?["hash"] ?? AuditChain.genesis
        let insert = try db.cachedStatement(sql: """
            INSERT INTO audit (sequence, at, partner, actor, action, object, detail, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for record in records {
            sequence += 1
            let hash = AuditChain.hash(sequence: sequence, previousHash: previous, record: record)
            try insert.execute(arguments: [
                sequence, SQLiteRows.millis(record.at), record.partner, record.actor, record.action, record.object, record.detail,
                previous, hash,
            ])
            previous = hash
        }
    }

    public func auditEntries(after sequence: Int64, limit: Int, partner: String?) async throws -> [AuditEntry] {
        try await pool.read { db in
            if let partner {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM audit WHERE partner = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                    arguments: [partner, sequence, limit]
                ).map(SQLiteRows.auditEntry)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE sequence > ? ORDER BY sequence LIMIT ?", arguments: [sequence, limit])
                .map(SQLiteRows.auditEntry)
        }
    }

    public func purge(before cutoff: Date, at now: Date, audit: @Sendable (PurgeCounts) -> AuditRecord) async throws -> PurgeCounts {
        let bound = Identifier.lowerBound("evt", at: cutoff)
        let purgedAt = SQLiteRows.millis(now)
        let cutoffMillis = SQLiteRows.millis(cutoff)
        let reportsSince = SQLiteRows.millis(now.addingTimeInterval(-SMSReceipt.reportWindow.timeInterval))
        return try await pool.writeWithoutTransaction { db in
            // secure_delete zeroes the space the old texts leave behind, and the checkpoint moves
            // the result out of the WAL, so the removed data is gone from the files, not just hidden.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            var counts = PurgeCounts(events: 0, deliveries: 0, subscriptions: 0)
            try db.inTransaction {
                counts = try Self.purge(bound: bound, cutoff: cutoffMillis, purgedAt: purgedAt, reportsSince: reportsSince, db: db)
                if !counts.isEmpty { try Self.appendAudit([audit(counts)], db: db) }
                return .commit
            }
            do { _ = try db.checkpoint(.truncate) } catch {
                counts.checkpointFailure = "\(error)"
            }
            return counts
        }
    }

    private static func purge(bound: String, cutoff cutoffMillis: Int64, purgedAt: Int64, reportsSince: Int64, db: Database) throws -> PurgeCounts {
        // Events whose deliveries still wait for an attempt or a report keep their content
        // until they end; retention never cancels a send. An SMS handed to the gateway counts as
        // under way while its report may still come (`SMSReceipt.reportWindow`).
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS purging (id TEXT PRIMARY KEY) WITHOUT ROWID;
            DELETE FROM purging;
            """)
        try db.execute(
            sql: """
                INSERT INTO purging (id)
                SELECT id FROM event e WHERE e.id < ? AND e.purged_at IS NULL
                  AND NOT EXISTS (
                    SELECT 1 FROM delivery d WHERE d.event_id = e.id
                      AND (d.status IN ('pending', 'failed', 'sending') OR (d.status = 'sent' AND d.channel = 'sms' AND d.updated_at >= ?))
                  )
                """,
            arguments: [bound, reportsSince]
        )
        let events = db.changesCount
        try db.execute(
            sql: "UPDATE event SET title = '', body = NULL, data = NULL, purged_at = ? WHERE id IN (SELECT id FROM purging)",
            arguments: [purgedAt]
        )
        try db.execute(sql: """
            UPDATE attempt SET error = NULL
            WHERE delivery_id IN (SELECT id FROM delivery WHERE event_id IN (SELECT id FROM purging))
            """)
        try db.execute(sql: """
            UPDATE receipt SET detail = NULL
            WHERE delivery_id IN (SELECT id FROM delivery WHERE event_id IN (SELECT id FROM purging))
            """)
        try db.execute(sql: "UPDATE delivery SET target = '', last_error = NULL WHERE event_id IN (SELECT id FROM purging)")
        let deliveries = db.changesCount
        try db.execute(
            sql: """
                UPDATE subscription SET target = '', name = '', secret = NULL
                WHERE deleted_at IS NOT NULL AND deleted_at < ? AND target != ''
                """,
            arguments: [cutoffMillis]
        )
        let subscriptions = db.changesCount
        try db.execute(sql: "DELETE FROM purging")
        return PurgeCounts(events: events, deliveries: deliveries, subscriptions: subscriptions)
    }
}
