import Foundation
import GRDB
import SikoModel

/// A row of `delivery`. The lease (`lease_owner`, `lease_expires_at`) is the queue's bookkeeping,
/// written by its statements only, so the record leaves it out.
struct DeliveryRecord: StoredRecord {
    static let databaseTableName = "delivery"

    enum Columns {
        static let id = Column("id")
        static let eventId = Column("event_id")
        static let subscriptionId = Column("subscription_id")
        static let partner = Column("partner")
        static let publisher = Column("publisher")
        static let channel = Column("channel")
        static let target = Column("target")
        static let status = Column("status")
        static let attempts = Column("attempts")
        static let lastError = Column("last_error")
        static let nextAttemptAt = Column("next_attempt_at")
        static let content = Column("content")
        static let rule = Column("rule")
        static let createdAt = Column("created_at")
        static let updatedAt = Column("updated_at")
        static let leaseOwner = Column("lease_owner")
        static let leaseExpiresAt = Column("lease_expires_at")
    }

    static let columns: [Column] = [
        Columns.id, Columns.eventId, Columns.subscriptionId, Columns.partner, Columns.publisher, Columns.channel, Columns.target,
        Columns.status, Columns.attempts, Columns.lastError, Columns.nextAttemptAt, Columns.content, Columns.rule,
        Columns.createdAt, Columns.updatedAt,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var delivery: Delivery
    /// The event's publisher, kept beside the delivery so a publisher's listing needs no join.
    var publisher: String

    init(_ delivery: Delivery, publisher: String) {
        self.delivery = delivery
        self.publisher = publisher
    }

    init(row: Row) throws {
        delivery = Delivery(
            id: row[0], eventId: row[1], subscriptionId: row[2], partner: row[3],
            channel: try StoredValue.enumValue(row[5]), target: row[6], status: try StoredValue.enumValue(row[7]),
            attempts: row[8], lastError: row[9], nextAttemptAt: StoredValue.date(row[10] as Int64?),
            content: try StoredValue.enumValue(row[11]), rule: try (row[12] as String?).map(StoredValue.enumValue),
            createdAt: StoredValue.date(row[13] as Int64), updatedAt: StoredValue.date(row[14] as Int64)
        )
        publisher = row[4]
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            delivery.id, delivery.eventId, delivery.subscriptionId, delivery.partner, publisher, delivery.channel.rawValue,
            delivery.target, delivery.status.rawValue, delivery.attempts, delivery.lastError, StoredValue.millis(delivery.nextAttemptAt),
            delivery.content.rawValue, delivery.rule?.rawValue, StoredValue.millis(delivery.createdAt), StoredValue.millis(delivery.updatedAt),
        ]
    }

    /// `status IN ('pending', 'failed')`: the condition of the partial indexes on waiting deliveries.
    static let isOpen = "\(Columns.status.name) IN \(StoredValue.literals(DeliveryStatus.open))"
    static let isSending = "\(Columns.status.name) = \(StoredValue.literal(.sending))"
}
