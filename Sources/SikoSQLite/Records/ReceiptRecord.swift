import Foundation
import GRDB
import SikoModel

/// A row of `receipt`: one per delivery and report code.
struct ReceiptRecord: StoredRecord {
    static let databaseTableName = "receipt"

    enum Columns {
        static let deliveryId = Column("delivery_id")
        static let code = Column("code")
        static let detail = Column("detail")
        static let receivedAt = Column("received_at")
    }

    static let columns: [Column] = [Columns.deliveryId, Columns.code, Columns.detail, Columns.receivedAt]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var deliveryId: String
    var code: Int
    var detail: String?
    var receivedAt: Date

    init(_ receipt: Receipt, detail: String?) {
        deliveryId = receipt.deliveryId
        code = receipt.report.rawValue
        self.detail = detail
        receivedAt = receipt.receivedAt
    }

    init(row: Row) throws {
        deliveryId = row[0]
        code = row[1]
        detail = row[2]
        receivedAt = StoredValue.date(row[3] as Int64)
    }

    var storedValues: [(any DatabaseValueConvertible)?] { [deliveryId, code, detail, StoredValue.millis(receivedAt)] }

    /// Nil for a code this version does not know.
    var receipt: Receipt? {
        SMSReceipt(rawValue: code).map { Receipt(deliveryId: deliveryId, report: $0, detail: detail, receivedAt: receivedAt) }
    }
}
