import Foundation
import GRDB
import SikoModel

/// A row of `event`, with what publishing keeps beside the event: the idempotency key it came
/// with and how many deliveries it planned (the answer to a replay).
struct EventRecord: StoredRecord {
    static let databaseTableName = "event"

    enum Columns {
        static let id = Column("id")
        static let publisher = Column("publisher")
        static let externalId = Column("external_id")
        static let idempotencyKey = Column("idempotency_key")
        static let topic = Column("topic")
        static let urgency = Column("urgency")
        static let areas = Column("areas")
        static let title = Column("title")
        static let body = Column("body")
        static let classification = Column("classification")
        static let publishedAt = Column("published_at")
        static let expiresAt = Column("expires_at")
        static let data = Column("data")
        static let deliveryCount = Column("delivery_count")
        static let exercise = Column("exercise")
        static let purgedAt = Column("purged_at")
        static let test = Column("test")
        static let messageType = Column("message_type")
        static let references = Column("refs")
        static let originalId = Column("original_id")
        static let translations = Column("translations")
    }

    static let columns: [Column] = [
        Columns.id, Columns.publisher, Columns.externalId, Columns.idempotencyKey, Columns.topic, Columns.urgency, Columns.areas,
        Columns.title, Columns.body, Columns.classification, Columns.publishedAt, Columns.expiresAt, Columns.data,
        Columns.deliveryCount, Columns.exercise, Columns.purgedAt, Columns.test, Columns.messageType, Columns.references,
        Columns.originalId, Columns.translations,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var event: Event
    var idempotencyKey: String?
    var deliveryCount: Int
    /// `event.data` as stored: JSON text.
    private var data: String?
    /// `event.translations` as stored: JSON text, nil when there are none.
    private var translations: String?

    init(_ event: Event, idempotencyKey: String?, deliveryCount: Int) throws {
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.deliveryCount = deliveryCount
        data = try event.data.map { String(decoding: try StoredValue.jsonEncoder.encode($0), as: UTF8.self) }
        translations = event.translations.isEmpty ? nil : String(decoding: try StoredValue.jsonEncoder.encode(event.translations), as: UTF8.self)
    }

    init(row: Row) throws {
        self.data = row[12]
        let data: JSONValue? = try self.data.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        self.translations = row[20]
        let translations = try self.translations.map { try JSONDecoder().decode([EventTranslation].self, from: Data($0.utf8)) } ?? []
        event = Event(
            id: row[0], externalId: row[2], publisher: row[1], topic: row[4], urgency: try StoredValue.enumValue(row[5]),
            areas: StoredValue.list(row[6] as String), title: row[7], body: row[8], classification: try StoredValue.enumValue(row[9]),
            publishedAt: StoredValue.date(row[10] as Int64), expiresAt: StoredValue.date(row[11] as Int64?), data: data,
            exercise: row[14], test: row[16], purgedAt: StoredValue.date(row[15] as Int64?),
            messageType: try StoredValue.enumValue(row[17]), references: StoredValue.list(row[18] as String), translations: translations
        )
        idempotencyKey = row[3]
        deliveryCount = row[13]
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            event.id, event.publisher, event.externalId, idempotencyKey, event.topic, event.urgency.rawValue,
            StoredValue.list(event.areas), event.title, event.body, event.classification.rawValue,
            StoredValue.millis(event.publishedAt), StoredValue.millis(event.expiresAt), data, deliveryCount, event.exercise,
            StoredValue.millis(event.purgedAt), event.test, event.messageType.rawValue, StoredValue.list(event.references),
            event.references.first, translations,
        ]
    }
}
