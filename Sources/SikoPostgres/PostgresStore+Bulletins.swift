import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: BulletinStore {
    public func insertBulletin(_ bulletin: Bulletin, audit: AuditRecord) async throws {
        let document = try BulletinRow.document(bulletin)
        let logger = self.logger
        try await transaction { connection in
            try await connection.execute("""
                INSERT INTO bulletin (\(unescaped: BulletinRow.columns)) VALUES (
                    \(bulletin.id), \(bulletin.status.rawValue), \(bulletin.revision), \(Stored.millis(bulletin.updatedAt)), \(document)
                )
                """, logger: logger)
            try await Self.appendAudit([audit], on: connection, logger: logger)
        }
    }

    public func bulletin(id: String) async throws -> Bulletin? {
        try await rows("SELECT \(unescaped: BulletinRow.columns) FROM bulletin WHERE id = \(id)").first.map(BulletinRow.decode)
    }

    public func bulletins(status: BulletinStatus?, limit: Int) async throws -> [Bulletin] {
        // Ids are time-ordered: newest first by id is newest created first.
        let status = status?.rawValue
        return try await rows("""
            SELECT \(unescaped: BulletinRow.columns) FROM bulletin WHERE (\(status)::text IS NULL OR status = \(status)) ORDER BY id DESC LIMIT \(limit)
            """).map(BulletinRow.decode)
    }

    /// Of two gateways updating from one revision, the second's update waits for the first's
    /// commit, then finds the revision moved on and changes nothing.
    public func updateBulletin(_ bulletin: Bulletin, expecting revision: Int, audit: AuditRecord) async throws -> Bool {
        let document = try BulletinRow.document(bulletin)
        let logger = self.logger
        return try await transaction { connection in
            let changed = try await connection.execute("""
                UPDATE bulletin SET status = \(bulletin.status.rawValue), revision = \(bulletin.revision),
                    updated_at = \(Stored.millis(bulletin.updatedAt)), document = \(document)
                WHERE id = \(bulletin.id) AND revision = \(revision)
                """, logger: logger)
            guard changed == 1 else { return false }
            try await Self.appendAudit([audit], on: connection, logger: logger)
            return true
        }
    }
}

/// Rows of `bulletin`: the bulletin whole, as JSON in the model's own coding (times as RFC 3339,
/// as SQLite stores them), with the columns lists filter and sort by and the revision the
/// compare-and-set checks beside it.
enum BulletinRow {
    static let columns = "id, status, revision, updated_at, document"

    static func document(_ bulletin: Bulletin) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(bulletin), as: UTF8.self)
    }

    static func decode(_ row: PostgresRow) throws -> Bulletin {
        let cells = PostgresRandomAccessRow(row)
        let id = try cells[0].decode(String.self)
        let document = try cells[4].decode(String.self)
        do {
            return try JSONCoding.decoder().decode(Bulletin.self, from: Data(document.utf8))
        } catch {
            throw StoreError.corrupt("bulletin \(id): \(error)")
        }
    }
}
