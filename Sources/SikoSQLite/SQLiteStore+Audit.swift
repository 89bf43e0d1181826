import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = AuditEntryRecord.Columns

    public func appendAudit(_ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in try Self.appendAudit(records, db: db) }
    }

    private static let lastLink = "SELECT \(Columns.sequence.name), \(Columns.hash.name) FROM audit ORDER BY \(Columns.sequence.name) DESC LIMIT 1"

    /// Links each record to the last one; SQLite's single writer keeps the chain in order. On the
    /// publishing path (one entry per event), so the statements are prepared once.
    static func appendAudit(_ records: [AuditRecord], db: Database) throws {
        let last = try Row.fetchOne(db.cachedStatement(sql: lastLink))
        var sequence: Int64 = last?[0] ?? 0
        var previous: String = last?[1] ?? AuditChain.genesis
        for record in records {
            sequence += 1
            let hash = AuditChain.hash(sequence: sequence, previousHash: previous, record: record)
            try AuditEntryRecord(AuditEntry(sequence: sequence, record: record, previousHash: previous, hash: hash)).insertCached(db)
            previous = hash
        }
    }

    public func auditEntries(after sequence: Int64, limit: Int, partner: String?) async throws -> [AuditEntry] {
        try await pool.read { db in
            var request = AuditEntryRecord.filter(Columns.sequence > sequence).order(Columns.sequence).limit(limit)
            if let partner { request = request.filter(Columns.partner == partner) }
            return try request.fetchAll(db).map(\.entry)
        }
    }

    public func auditEntries(before sequence: Int64?, limit: Int, partner: String?) async throws -> [AuditEntry] {
        try await pool.read { db in
            var request = AuditEntryRecord.order(Columns.sequence.desc).limit(limit)
            if let sequence { request = request.filter(Columns.sequence < sequence) }
            if let partner { request = request.filter(Columns.partner == partner) }
            return try request.fetchAll(db).map(\.entry)
        }
    }
}
