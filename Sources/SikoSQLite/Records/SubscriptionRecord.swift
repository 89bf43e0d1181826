import Foundation
import GRDB
import SikoModel

/// A row of `subscription`, with its signing secret as stored (sealed) and its deletion, which
/// keeps the row for the deliveries made to it. `failing_since` is the queue's bookkeeping.
struct SubscriptionRecord: StoredRecord {
    static let databaseTableName = "subscription"

    enum Columns {
        static let id = Column("id")
        static let partner = Column("partner")
        static let name = Column("name")
        static let areas = Column("areas")
        static let topics = Column("topics")
        static let minUrgency = Column("min_urgency")
        static let channel = Column("channel")
        static let target = Column("target")
        static let language = Column("language")
        static let secret = Column("secret")
        static let enabled = Column("enabled")
        static let disabledReason = Column("disabled_reason")
        static let createdAt = Column("created_at")
        static let updatedAt = Column("updated_at")
        static let deletedAt = Column("deleted_at")
        static let failingSince = Column("failing_since")
        static let format = Column("format")
    }

    static let columns: [Column] = [
        Columns.id, Columns.partner, Columns.name, Columns.areas, Columns.topics, Columns.minUrgency, Columns.channel,
        Columns.target, Columns.language, Columns.secret, Columns.enabled, Columns.disabledReason, Columns.createdAt,
        Columns.updatedAt, Columns.deletedAt, Columns.format,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var subscription: Subscription
    var sealedSecret: String?
    var deletedAt: Date?

    init(_ subscription: Subscription, sealedSecret: String?, deletedAt: Date? = nil) {
        self.subscription = subscription
        self.sealedSecret = sealedSecret
        self.deletedAt = deletedAt
    }

    init(row: Row) throws {
        subscription = Subscription(
            id: row[0], partner: row[1], name: row[2], areas: StoredValue.list(row[3] as String),
            topics: StoredValue.list(row[4] as String), minUrgency: try StoredValue.enumValue(row[5]),
            channel: try StoredValue.enumValue(row[6]), target: row[7], language: try StoredValue.enumValue(row[8]),
            format: try StoredValue.enumValue(row[15]), enabled: row[10], disabledReason: row[11],
            createdAt: StoredValue.date(row[12] as Int64), updatedAt: StoredValue.date(row[13] as Int64)
        )
        sealedSecret = row[9]
        deletedAt = StoredValue.date(row[14] as Int64?)
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            subscription.id, subscription.partner, subscription.name, StoredValue.list(subscription.areas),
            StoredValue.list(subscription.topics), subscription.minUrgency.rawValue, subscription.channel.rawValue,
            subscription.target, subscription.language.rawValue, sealedSecret, subscription.enabled, subscription.disabledReason,
            StoredValue.millis(subscription.createdAt), StoredValue.millis(subscription.updatedAt), StoredValue.millis(deletedAt),
            subscription.format.rawValue,
        ]
    }

    var state: SubscriptionState {
        SubscriptionState(enabled: subscription.enabled, disabledReason: subscription.disabledReason, deleted: deletedAt != nil)
    }

    /// Live: not deleted (disabled ones are live, they can be enabled again).
    static let isLive = Columns.deletedAt == nil
}
