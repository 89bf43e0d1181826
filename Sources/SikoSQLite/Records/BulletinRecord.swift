import Foundation
import GRDB
import SikoModel

/// A row of `bulletin`: the bulletin whole, as JSON, with the columns that lists filter and sort
/// by and the revision the compare-and-set checks beside it.
struct BulletinRecord: StoredRecord {
    static let databaseTableName = "bulletin"

    enum Columns {
        static let id = Column("id")
        static let status = Column("status")
        static let revision = Column("revision")
        static let updatedAt = Column("updated_at")
        static let document = Column("document")
    }

    static let columns: [Column] = [Columns.id, Columns.status, Columns.revision, Columns.updatedAt, Columns.document]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var bulletin: Bulletin
    /// The bulletin as JSON, made once when the record is.
    let document: String

    init(_ bulletin: Bulletin) throws {
        self.bulletin = bulletin
        document = String(decoding: try JSONCoding.encoder().encode(bulletin), as: UTF8.self)
    }

    init(row: Row) throws {
        document = row[4]
        do {
            bulletin = try JSONCoding.decoder().decode(Bulletin.self, from: Data(document.utf8))
        } catch {
            throw StoreError.corrupt("bulletin \(row[0] as String): \(error)")
        }
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [bulletin.id, bulletin.status.rawValue, bulletin.revision, StoredValue.millis(bulletin.updatedAt), document]
    }
}
