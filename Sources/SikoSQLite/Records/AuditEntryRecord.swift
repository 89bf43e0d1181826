import Foundation
import GRDB
import SikoModel

/// A row of `audit`: one link of the hash chain.
struct AuditEntryRecord: StoredRecord {
    static let databaseTableName = "audit"

    enum Columns {
        static let sequence = Column("sequence")
        static let at = Column("at")
        static let partner = Column("partner")
        static let actor = Column("actor")
        static let action = Column("action")
        static let object = Column("object")
        static let detail = Column("detail")
        static let previousHash = Column("previous_hash")
        static let hash = Column("hash")
    }

    static let columns: [Column] = [
        Columns.sequence, Columns.at, Columns.partner, Columns.actor, Columns.action, Columns.object, Columns.detail,
        Columns.previousHash, Columns.hash,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var entry: AuditEntry

    init(_ entry: AuditEntry) { self.entry = entry }

    init(row: Row) throws {
        entry = AuditEntry(
            sequence: row[0],
            record: AuditRecord(
                at: StoredValue.date(row[1] as Int64), partner: row[2], actor: row[3], rawAction: row[4], object: row[5], detail: row[6]
            ),
            previousHash: row[7], hash: row[8]
        )
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        let record = entry.record
        return [
            entry.sequence, StoredValue.millis(record.at), record.partner, record.actor, record.action, record.object, record.detail,
            entry.previousHash, entry.hash,
        ]
    }
}
