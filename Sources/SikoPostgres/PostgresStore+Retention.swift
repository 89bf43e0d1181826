import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: RetentionStore {
    /// SQLite zeroes the freed pages and checkpoints its WAL; PostgreSQL has no such switch. The
    /// old row versions stay in the table files until (auto)vacuum reclaims their space, and in
    /// the WAL and its archive until those are recycled, so `checkpointFailure` is never set here.
    public func purge(before cutoff: Date, at now: Date, audit: @escaping @Sendable (PurgeCounts) -> AuditRecord) async throws -> PurgeCounts {
        let bound = Identifier.lowerBound("evt", at: cutoff)
        let purgedAt = Stored.millis(now)
        let cutoffMillis = Stored.millis(cutoff)
        let reportsSince = Stored.millis(PurgeEligibility.reportsSince(now: now))
        let logger = self.logger
        return try await transaction(within: Self.purgeBound) { connection in
            let (events, deliveries) = try await connection.rows(
                Self.purgeEvents(bound: bound, purgedAt: purgedAt, reportsSince: reportsSince), logger: logger
            )[0].decode((Int, Int).self)
            let subscriptions = try await connection.execute("""
                UPDATE subscription SET target = '', name = '', secret = NULL
                WHERE deleted_at IS NOT NULL AND deleted_at < \(cutoffMillis) AND target <> ''
                """, logger: logger)
            let counts = PurgeCounts(events: events, deliveries: deliveries, subscriptions: subscriptions)
            if !counts.isEmpty { try await Self.appendAudit([audit(counts)], on: connection, logger: logger) }
            return counts
        }
    }

    /// Events whose deliveries still wait for an attempt or a report keep their content until they
    /// end (`PurgeEligibility.keepsContent`, the `NOT EXISTS`). One statement: the events chosen
    /// flow through the CTEs to their deliveries, attempts and receipts, with no temporary table
    /// (which needs a privilege of its own). `purged_at IS NULL` is checked again on a row another
    /// gateway's purge held, so two purges at once count each event once. Answers the counts of
    /// events and deliveries.
    private static func purgeEvents(bound: String, purgedAt: Int64, reportsSince: Int64) -> PostgresQuery {
        let awaiting = PurgeEligibility.awaitingReport
        return """
            WITH purged AS (
                UPDATE event AS e SET title = '', body = NULL, data = NULL, translations = NULL, purged_at = \(purgedAt)
                WHERE e.id < \(bound) AND e.purged_at IS NULL AND NOT EXISTS (
                    SELECT 1 FROM delivery d WHERE d.event_id = e.id AND (
                        d.status IN \(unescaped: Stored.literals(PurgeEligibility.underWay))
                        OR (d.status = \(unescaped: Stored.literal(awaiting.status)) AND d.channel = \(awaiting.channel.rawValue)
                            AND d.updated_at >= \(reportsSince))
                    )
                )
                RETURNING e.id
            ),
            deliveries AS (UPDATE delivery SET target = '', last_error = NULL WHERE event_id IN (SELECT id FROM purged) RETURNING id),
            attempts AS (UPDATE attempt SET error = NULL WHERE delivery_id IN (SELECT id FROM deliveries)),
            receipts AS (UPDATE receipt SET detail = NULL WHERE delivery_id IN (SELECT id FROM deliveries))
            SELECT (SELECT count(*) FROM purged), (SELECT count(*) FROM deliveries)
            """
    }
}
