import Foundation
import GRDB

/// A row of `secret`: a secret the gateway keeps itself, sealed by the caller. Databases from
/// before sealing may hold a value as a BLOB, so it is read as `CAST(value AS TEXT)`.
struct SecretRecord: StoredRecord {
    static let databaseTableName = "secret"

    enum Columns {
        static let name = Column("name")
        static let value = Column("value")
    }

    static let columns: [Column] = [Columns.name, Columns.value]
    static var databaseSelection: [any SQLSelectable] { [Columns.name, SQL("CAST(\(Columns.value) AS TEXT)")] }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var name: String
    var value: String

    init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    init(row: Row) throws {
        name = row[0]
        value = row[1]
    }

    var storedValues: [(any DatabaseValueConvertible)?] { [name, value] }
}

/// A row of `signed_request`: a signed request seen within the time window.
struct SignedRequestRecord: StoredRecord {
    static let databaseTableName = "signed_request"

    enum Columns {
        static let keyId = Column("key_id")
        static let requestId = Column("request_id")
        static let signedAt = Column("signed_at")
    }

    static let columns: [Column] = [Columns.keyId, Columns.requestId, Columns.signedAt]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var keyId: String
    var requestId: String
    var signedAt: Date

    init(keyId: String, requestId: String, signedAt: Date) {
        self.keyId = keyId
        self.requestId = requestId
        self.signedAt = signedAt
    }

    init(row: Row) throws {
        keyId = row[0]
        requestId = row[1]
        signedAt = StoredValue.date(row[2] as Int64)
    }

    var storedValues: [(any DatabaseValueConvertible)?] { [keyId, requestId, StoredValue.millis(signedAt)] }
}

/// The one row of `write_probe`, rewritten by readiness checks.
struct WriteProbeRecord: StoredRecord {
    static let databaseTableName = "write_probe"

    enum Columns {
        static let id = Column("id")
        static let at = Column("at")
    }

    static let columns: [Column] = [Columns.id, Columns.at]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var at: Date

    init(at: Date) { self.at = at }

    init(row: Row) throws { at = StoredValue.date(row[1] as Int64) }

    var storedValues: [(any DatabaseValueConvertible)?] { [1, StoredValue.millis(at)] }
}
