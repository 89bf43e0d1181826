import Foundation
import PostgresNIO
import SikoModel

/// Rows of `attempt`: one per attempt number of a delivery.
enum AttemptRow {
    static let columns = "delivery_id, number, started_at, finished_at, status, response_code, error"

    static func decode(_ row: PostgresRow) throws -> Attempt {
        var cells = Cells(row)
        return Attempt(
            deliveryId: try cells.next(), number: try cells.next(), startedAt: try cells.millis(), finishedAt: try cells.millis(),
            status: try cells.enumValue(), responseCode: try cells.next(), error: try cells.next()
        )
    }

    /// All of them in one statement; an attempt written again under its number (a completion after
    /// a recovery recorded it as interrupted) replaces it.
    static func upsert(_ attempts: [Attempt]) throws -> PostgresQuery {
        struct Row: Encodable {
            var delivery_id: String
            var number: Int
            var started_at, finished_at: Int64
            var status: String
            var response_code: Int?
            var error: String?
        }
        let rows = attempts.map {
            Row(
                delivery_id: $0.deliveryId, number: $0.number, started_at: Stored.millis($0.startedAt), finished_at: Stored.millis($0.finishedAt),
                status: $0.status.rawValue, response_code: $0.responseCode, error: $0.error
            )
        }
        return """
            INSERT INTO attempt (\(unescaped: columns)) SELECT \(unescaped: columns) FROM json_to_recordset(\(try Stored.json(rows))::json) AS a(
                delivery_id text, number integer, started_at bigint, finished_at bigint, status text, response_code integer, error text
            )
            ON CONFLICT (delivery_id, number) DO UPDATE SET started_at = excluded.started_at, finished_at = excluded.finished_at,
                status = excluded.status, response_code = excluded.response_code, error = excluded.error
            """
    }
}
