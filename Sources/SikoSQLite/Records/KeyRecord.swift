import Foundation
import GRDB
import SikoModel

/// A row of `api_key`: the key's hash, never the key; its signing secret sealed.
struct KeyRecord: StoredRecord {
    static let databaseTableName = "api_key"

    enum Columns {
        static let id = Column("id")
        static let partner = Column("partner")
        static let hash = Column("hash")
        static let scopes = Column("scopes")
        static let createdAt = Column("created_at")
        static let expiresAt = Column("expires_at")
        static let revokedAt = Column("revoked_at")
        static let lastUsedAt = Column("last_used_at")
        static let signingSecret = Column("signing_secret")
        static let userId = Column("user_id")
    }

    static let columns: [Column] = [
        Columns.id, Columns.partner, Columns.hash, Columns.scopes, Columns.createdAt, Columns.expiresAt, Columns.revokedAt,
        Columns.lastUsedAt, Columns.signingSecret, Columns.userId,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    /// With `signingSecret` sealed.
    var key: StoredKey

    init(sealed key: StoredKey) { self.key = key }

    init(row: Row) throws {
        key = StoredKey(
            id: row[0], partner: row[1], hash: row[2],
            scopes: Set((row[3] as String).split(separator: " ").compactMap { Scope(rawValue: String($0)) }),
            createdAt: StoredValue.date(row[4] as Int64), expiresAt: StoredValue.date(row[5] as Int64?),
            revokedAt: StoredValue.date(row[6] as Int64?), lastUsedAt: StoredValue.date(row[7] as Int64?),
            signingSecret: row[8], userID: row[9]
        )
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            key.id, key.partner, key.hash, key.scopes.map(\.rawValue).sorted().joined(separator: " "), StoredValue.millis(key.createdAt),
            StoredValue.millis(key.expiresAt), StoredValue.millis(key.revokedAt), StoredValue.millis(key.lastUsedAt), key.signingSecret,
            key.userID,
        ]
    }
}
