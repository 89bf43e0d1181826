import Foundation
import PostgresNIO
import SikoModel

/// Rows of `receipt`: one per delivery and report code.
enum ReceiptRow {
    static let columns = "delivery_id, code, detail, received_at"

    /// Nil for a code this version does not know.
    static func decode(_ row: PostgresRow) throws -> Receipt? {
        var cells = Cells(row)
        let deliveryId: String = try cells.next()
        let code: Int = try cells.next()
        let detail: String? = try cells.next()
        let receivedAt = try cells.millis()
        return SMSReceipt(rawValue: code).map { Receipt(deliveryId: deliveryId, report: $0, detail: detail, receivedAt: receivedAt) }
    }

    /// A report already kept for the delivery and code stays as it was.
    static func insert(_ receipt: Receipt, detail: String?) -> PostgresQuery {
        """
        INSERT INTO receipt (\(unescaped: columns))
        VALUES (\(receipt.deliveryId), \(receipt.report.rawValue), \(detail), \(Stored.millis(receipt.receivedAt)))
        ON CONFLICT (delivery_id, code) DO NOTHING
        """
    }
}
