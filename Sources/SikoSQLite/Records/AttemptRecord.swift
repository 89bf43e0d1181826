import Foundation
import GRDB
import SikoModel

/// A row of `attempt`: one per attempt number of a delivery.
struct AttemptRecord: StoredRecord {
    static let databaseTableName = "attempt"

    enum Columns {
        static let deliveryId = Column("delivery_id")
        static let number = Column("number")
        static let startedAt = Column("started_at")
        static let finishedAt = Column("finished_at")
        static let status = Column("status")
        static let responseCode = Column("response_code")
        static let error = Column("error")
    }

    static let columns: [Column] = [
        Columns.deliveryId, Columns.number, Columns.startedAt, Columns.finishedAt, Columns.status, Columns.responseCode, Columns.error,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)
    /// An attempt written again under its number (a completion after a crash's recovery) replaces it.
    static let replace = "INSERT OR REPLACE" + sql.insert.dropFirst("INSERT".count)

    var attempt: Attempt

    init(_ attempt: Attempt) { self.attempt = attempt }

    init(row: Row) throws {
        attempt = Attempt(
            deliveryId: row[0], number: row[1], startedAt: StoredValue.date(row[2] as Int64),
            finishedAt: StoredValue.date(row[3] as Int64), status: try StoredValue.enumValue(row[4]),
            responseCode: row[5], error: row[6]
        )
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            attempt.deliveryId, attempt.number, StoredValue.millis(attempt.startedAt), StoredValue.millis(attempt.finishedAt),
            attempt.status.rawValue, attempt.responseCode, attempt.error,
        ]
    }
}
