import Foundation
import PostgresNIO
import SikoModel

/// Rows of `delivery`. The lease (`lease_owner`, `lease_expires_at`) is the queue's bookkeeping,
/// written by its statements only, so the row's columns leave it out.
enum DeliveryRow {
    static let columns = """
        id, event_id, subscription_id, partner, publisher, channel, target, status, attempts, last_error, next_attempt_at, content, rule,
        created_at, updated_at
        """

    /// The same columns qualified by the table's name `d`, for joins and `RETURNING` after a `FROM`.
    static let qualified = columns.split(separator: ",").map { "d." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    static func decode(_ row: PostgresRow) throws -> Delivery {
        var cells = Cells(row)
        let id: String = try cells.next()
        let eventId: String = try cells.next()
        let subscriptionId: String = try cells.next()
        let partner: String = try cells.next()
        _ = try cells.next(String.self)
        let channel: ChannelKind = try cells.enumValue()
        let target: String = try cells.next()
        let status: DeliveryStatus = try cells.enumValue()
        let attempts: Int = try cells.next()
        let lastError: String? = try cells.next()
        let nextAttemptAt = try cells.optionalMillis()
        let content: DeliveryContent = try cells.enumValue()
        let rule = try cells.next(String?.self).map { try Stored.enumValue($0) as PolicyRule }
        return Delivery(
            id: id, eventId: eventId, subscriptionId: subscriptionId, partner: partner, channel: channel, target: target, status: status,
            attempts: attempts, lastError: lastError, nextAttemptAt: nextAttemptAt, content: content, rule: rule,
            createdAt: try cells.millis(), updatedAt: try cells.millis()
        )
    }

    /// All of them in one statement (a fan-out plans hundreds), as one JSON array of rows, which
    /// carries NULLs as no array parameter can. Those in `leased` are stored under `owner`'s lease.
    static func insert(_ deliveries: [Delivery], publisher: String, leased: Set<String> = [], owner: String? = nil, leaseUntil: Date? = nil) throws -> PostgresQuery {
        let rows = deliveries.map { delivery in
            let handed = leased.contains(delivery.id)
            return Inserted(
                id: delivery.id, event_id: delivery.eventId, subscription_id: delivery.subscriptionId, partner: delivery.partner,
                publisher: publisher, channel: delivery.channel.rawValue, target: delivery.target,
                status: handed ? DeliveryStatus.sending.rawValue : delivery.status.rawValue, attempts: handed ? 1 : delivery.attempts,
                last_error: delivery.lastError, next_attempt_at: Stored.millis(delivery.nextAttemptAt), content: delivery.content.rawValue,
                rule: delivery.rule?.rawValue, created_at: Stored.millis(delivery.createdAt), updated_at: Stored.millis(delivery.updatedAt),
                lease_owner: handed ? owner : nil, lease_expires_at: handed ? Stored.millis(leaseUntil) : nil
            )
        }
        return """
            INSERT INTO delivery (\(unescaped: columns), lease_owner, lease_expires_at)
            SELECT \(unescaped: columns), lease_owner, lease_expires_at FROM json_to_recordset(\(try Stored.json(rows))::json) AS d(
                id text, event_id text, subscription_id text, partner text, publisher text, channel text, target text, status text,
                attempts integer, last_error text, next_attempt_at bigint, content text, rule text, created_at bigint, updated_at bigint,
                lease_owner text, lease_expires_at bigint
            )
            """
    }

    /// One row of `insert`, named as the table's columns.
    private struct Inserted: Encodable {
        var id, event_id, subscription_id, partner, publisher, channel, target, status: String
        var attempts: Int
        var last_error: String?
        var next_attempt_at: Int64?
        var content: String
        var rule: String?
        var created_at, updated_at: Int64
        var lease_owner: String?
        var lease_expires_at: Int64?
    }

    /// `status IN ('pending', 'failed')`: the condition of the partial indexes on waiting deliveries.
    static let isOpen = "status IN \(Stored.literals(DeliveryStatus.open))"
    static let isSending = "status = \(Stored.literal(.sending))"
}
