import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: AuditLog {
    public func appendAudit(_ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await transaction { connection in try await Self.appendAudit(records, on: connection, logger: self.logger) }
    }

    /// The chain's lock: one transaction at a time, across every gateway, links to the last entry.
    /// Held to the transaction's end, so the order of sequence numbers is the order of commits.
    static let auditLock: Int64 = 0x5_1C0_0002

    static func appendAudit(_ records: [AuditRecord], on connection: PostgresConnection, logger: Logger) async throws {
        guard !records.isEmpty else { return }
        try await connection.execute("SELECT pg_advisory_xact_lock(\(auditLock))", logger: logger)
        let last = try await connection.rows("SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1", logger: logger).first
        var (sequence, previous): (Int64, String) = try last?.decode((Int64, String).self) ?? (0, AuditChain.genesis)
        var entries: [AuditRow.Inserted] = []
        for record in records {
            sequence += 1
            let hash = AuditChain.hash(sequence: sequence, previousHash: previous, record: record)
            entries.append(AuditRow.Inserted(AuditEntry(sequence: sequence, record: record, previousHash: previous, hash: hash)))
            previous = hash
        }
        try await connection.execute(try AuditRow.insert(entries), logger: logger)
    }

    public func auditEntries(after sequence: Int64, limit: Int, partner: String?) async throws -> [AuditEntry] {
        try await rows("""
            SELECT \(unescaped: AuditRow.columns) FROM audit WHERE sequence > \(sequence) AND (\(partner)::text IS NULL OR partner = \(partner))
            ORDER BY sequence LIMIT \(limit)
            """).map(AuditRow.decode)
    }

    public func auditEntries(before sequence: Int64?, limit: Int, partner: String?) async throws -> [AuditEntry] {
        try await rows("""
            SELECT \(unescaped: AuditRow.columns) FROM audit
            WHERE (\(sequence)::bigint IS NULL OR sequence < \(sequence)) AND (\(partner)::text IS NULL OR partner = \(partner))
            ORDER BY sequence DESC LIMIT \(limit)
            """).map(AuditRow.decode)
    }
}

/// Rows of `audit`: links of the hash chain.
enum AuditRow {
    static let columns = "sequence, at, partner, actor, action, object, detail, previous_hash, hash"

    static func decode(_ row: PostgresRow) throws -> AuditEntry {
        var cells = Cells(row)
        let sequence: Int64 = try cells.next()
        let record = AuditRecord(
            at: try cells.millis(), partner: try cells.next(), actor: try cells.next(), rawAction: try cells.next(), object: try cells.next(),
            detail: try cells.next()
        )
        return AuditEntry(sequence: sequence, record: record, previousHash: try cells.next(), hash: try cells.next())
    }

    /// One row of `insert`, named as the table's columns.
    struct Inserted: Encodable {
        var sequence: Int64
        var at: Int64
        var partner, actor, action, object: String
        var detail: String?
        var previous_hash, hash: String

        init(_ entry: AuditEntry) {
            let record = entry.record
            sequence = entry.sequence
            at = Stored.millis(record.at)
            partner = record.partner
            actor = record.actor
            action = record.action
            object = record.object
            detail = record.detail
            previous_hash = entry.previousHash
            hash = entry.hash
        }
    }

    static func insert(_ entries: [Inserted]) throws -> PostgresQuery {
        """
        INSERT INTO audit (\(unescaped: columns)) SELECT \(unescaped: columns) FROM json_to_recordset(\(try Stored.json(entries))::json) AS a(
            sequence bigint, at bigint, partner text, actor text, action text, object text, detail text, previous_hash text, hash text
        )
        """
    }
}
