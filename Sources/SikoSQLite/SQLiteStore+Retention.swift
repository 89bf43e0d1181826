import Foundation
import GRDB
import SikoModel

private typealias D = DeliveryRecord.Columns
private typealias E = EventRecord.Columns
private typealias S = SubscriptionRecord.Columns

extension SQLiteStore {
    public func purge(before cutoff: Date, at now: Date, audit: @escaping @Sendable (PurgeCounts) -> AuditRecord) async throws -> PurgeCounts {
        let bound = Identifier.lowerBound("evt", at: cutoff)
        let purgedAt = StoredValue.millis(now)
        let cutoffMillis = StoredValue.millis(cutoff)
        let reportsSince = StoredValue.millis(PurgeEligibility.reportsSince(now: now))
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

    /// `PurgeEligibility.keepsContent` as SQL over a delivery `d`; its one argument is `reportsSince`.
    private static let keepsContent = """
        d.\(D.status.name) IN \(StoredValue.literals(PurgeEligibility.underWay))
        OR (d.\(D.status.name) = \(StoredValue.literal(PurgeEligibility.awaitingReport.status))
            AND d.\(D.channel.name) = '\(PurgeEligibility.awaitingReport.channel.rawValue)' AND d.\(D.updatedAt.name) >= ?)
        """
    private static let choose = """
        INSERT INTO purging (id)
        SELECT e.\(E.id.name) FROM event e WHERE e.\(E.id.name) < ? AND e.\(E.purgedAt.name) IS NULL
          AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.\(D.eventId.name) = e.\(E.id.name) AND (\(keepsContent)))
        """
    private static let purgedDeliveries = "SELECT \(D.id.name) FROM delivery WHERE \(D.eventId.name) IN (SELECT id FROM purging)"

    private static func purge(bound: String, cutoff cutoffMillis: Int64, purgedAt: Int64, reportsSince: Int64, db: Database) throws -> PurgeCounts {
        // Events whose deliveries still wait for an attempt or a report keep their content until
        // they end (`PurgeEligibility`); the chosen ids go through a temporary table, so each
        // table below is changed by one statement.
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS purging (id TEXT PRIMARY KEY) WITHOUT ROWID;
            DELETE FROM purging;
            """)
        try db.execute(sql: choose, arguments: [bound, reportsSince])
        let events = db.changesCount
        try db.execute(
            sql: """
                UPDATE event SET \(E.title.name) = '', \(E.body.name) = NULL, \(E.data.name) = NULL, \(E.translations.name) = NULL, \(E.purgedAt.name) = ?
                WHERE \(E.id.name) IN (SELECT id FROM purging)
                """,
            arguments: [purgedAt]
        )
        try db.execute(sql: "UPDATE attempt SET \(AttemptRecord.Columns.error.name) = NULL WHERE \(AttemptRecord.Columns.deliveryId.name) IN (\(purgedDeliveries))")
        try db.execute(sql: "UPDATE receipt SET \(ReceiptRecord.Columns.detail.name) = NULL WHERE \(ReceiptRecord.Columns.deliveryId.name) IN (\(purgedDeliveries))")
        try db.execute(sql: """
            UPDATE delivery SET \(D.target.name) = '', \(D.lastError.name) = NULL WHERE \(D.eventId.name) IN (SELECT id FROM purging)
            """)
        let deliveries = db.changesCount
        let subscriptions = try SubscriptionRecord
            .filter(S.deletedAt != nil && S.deletedAt < cutoffMillis && S.target != "")
            .updateAll(db, [S.target.set(to: ""), S.name.set(to: ""), S.secret.set(to: nil)])
        try db.execute(sql: "DELETE FROM purging")
        return PurgeCounts(events: events, deliveries: deliveries, subscriptions: subscriptions)
    }
}
