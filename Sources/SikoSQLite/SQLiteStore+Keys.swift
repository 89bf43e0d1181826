import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = KeyRecord.Columns

    public func insertKey(_ key: StoredKey, audit: AuditRecord) async throws {
        var sealed = key
        sealed.signingSecret = key.signingSecret.map(sealer.seal)
        let record = KeyRecord(sealed: sealed)
        try await pool.write { db in
            try record.insert(db)
            try Self.appendAudit([audit], db: db)
        }
    }

    private static let keyByHash = "SELECT \(KeyRecord.sql.selection) FROM \(KeyRecord.databaseTableName) WHERE \(Columns.hash.name) = ?"

    public func key(hash: String) async throws -> StoredKey? {
        // Every request asks this: one statement prepared once per connection, not a query built each time.
        let key = try await pool.read { db in try KeyRecord.fetchOne(db.cachedStatement(sql: Self.keyByHash), arguments: [hash]) }
        return try key.map(opened)
    }

    /// The key with its signing secret unsealed (views never show it).
    func opened(_ record: KeyRecord) throws -> StoredKey {
        var key = record.key
        key.signingSecret = try key.signingSecret.map(sealer.unseal)
        return key
    }

    public func keys(partner: String?) async throws -> [StoredKey] {
        let keys = try await pool.read { db in
            var request = KeyRecord.order(Columns.createdAt.desc, Columns.id)
            if let partner { request = request.filter(Columns.partner == partner) }
            return try request.fetchAll(db)
        }
        return try keys.map(opened)
    }

    public func revokeKey(id: String, at date: Date, audit: @escaping @Sendable (StoredKey) -> AuditRecord) async throws -> StoredKey? {
        let key = try await pool.write { db in
            try KeyRecord.filter(Columns.id == id && Columns.revokedAt == nil).updateAll(db, Columns.revokedAt.set(to: StoredValue.millis(date)))
            let key = try KeyRecord.fetchOne(db, key: id)
            if let key { try Self.appendAudit([audit(key.key)], db: db) }
            return key
        }
        return try key.map(opened)
    }

    public func credentialVersion() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM credential_version WHERE id = 1")) ?? 0 }
    }

    public func touchKey(id: String, at date: Date) async throws {
        try await pool.write { db in
            _ = try KeyRecord.filter(Columns.id == id).updateAll(db, Columns.lastUsedAt.set(to: StoredValue.millis(date)))
        }
    }
}
