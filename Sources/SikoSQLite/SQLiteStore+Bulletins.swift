import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = BulletinRecord.Columns

    public func insertBulletin(_ bulletin: Bulletin, audit: AuditRecord) async throws {
        let record = try BulletinRecord(bulletin)
        try await pool.write { db in
            try record.insert(db)
            try Self.appendAudit([audit], db: db)
        }
    }

    public func bulletin(id: String) async throws -> Bulletin? {
        try await pool.read { db in try BulletinRecord.fetchOne(db, key: id)?.bulletin }
    }

    public func bulletins(status: BulletinStatus?, limit: Int) async throws -> [Bulletin] {
        try await pool.read { db in
            // Ids are time-ordered: newest first by id is newest created first.
            var request = BulletinRecord.order(Columns.id.desc).limit(limit)
            if let status { request = request.filter(Columns.status == status.rawValue) }
            return try request.fetchAll(db).map(\.bulletin)
        }
    }

    public func updateBulletin(_ bulletin: Bulletin, expecting revision: Int, audit: AuditRecord) async throws -> Bool {
        let record = try BulletinRecord(bulletin)
        return try await pool.write { db in
            let changed = try BulletinRecord.filter(Columns.id == bulletin.id && Columns.revision == revision).updateAll(
                db, Columns.status.set(to: bulletin.status.rawValue), Columns.revision.set(to: bulletin.revision),
                Columns.updatedAt.set(to: StoredValue.millis(bulletin.updatedAt)), Columns.document.set(to: record.document)
            )
            guard changed == 1 else { return false }
            try Self.appendAudit([audit], db: db)
            return true
        }
    }
}
