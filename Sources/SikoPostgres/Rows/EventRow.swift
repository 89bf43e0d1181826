import Foundation
import PostgresNIO
import SikoModel

/// A row of `event`, with what publishing keeps beside the event: the idempotency key it came with
/// and how many deliveries it planned (the answer to a replay).
struct EventRow {
    static let columns = """
        id, publisher, external_id, idempotency_key, topic, urgency, areas, title, body, classification, published_at, expires_at,
        data, delivery_count, exercise, purged_at, test, message_type, refs, translations
        """

    var event: Event
    var idempotencyKey: String?
    var deliveryCount: Int
    /// Set when the event is an original later copies are measured against (written, never read back).
    var fingerprint: String?

    init(_ event: Event, idempotencyKey: String?, deliveryCount: Int, fingerprint: String? = nil) {
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.deliveryCount = deliveryCount
        self.fingerprint = fingerprint
    }

    init(_ row: PostgresRow) throws {
        var cells = Cells(row)
        let id: String = try cells.next()
        let publisher: String = try cells.next()
        let externalId: String? = try cells.next()
        idempotencyKey = try cells.next()
        let topic: String = try cells.next()
        let urgency: Urgency = try cells.enumValue()
        let areas = Stored.list(try cells.next(String.self))
        let title: String = try cells.next()
        let body: String? = try cells.next()
        let classification: Classification = try cells.enumValue()
        let publishedAt = try cells.millis()
        let expiresAt = try cells.optionalMillis()
        let data = try cells.next(String?.self).map { try Stored.decodeJSON(JSONValue.self, $0) }
        deliveryCount = try cells.next()
        let exercise: Bool = try cells.next()
        let purgedAt = try cells.optionalMillis()
        let test: Bool = try cells.next()
        let messageType: MessageType = try cells.enumValue()
        let references = Stored.list(try cells.next(String.self))
        let translations = try cells.next(String?.self).map { try Stored.decodeJSON([EventTranslation].self, $0) } ?? []
        event = Event(
            id: id, externalId: externalId, publisher: publisher, topic: topic, urgency: urgency, areas: areas, title: title, body: body,
            classification: classification, publishedAt: publishedAt, expiresAt: expiresAt, data: data, exercise: exercise, test: test,
            purgedAt: purgedAt, messageType: messageType, references: references, translations: translations
        )
    }

    /// Inserted unless an event with its id, external id or idempotency key is there already (a
    /// concurrent publish through another gateway): then nothing is written and no row comes back.
    func insert() throws -> PostgresQuery {
        let data = try event.data.map(Stored.json)
        let translations = event.translations.isEmpty ? nil : try Stored.json(event.translations)
        return """
            INSERT INTO event (\(unescaped: Self.columns), original_id, fingerprint) VALUES (
                \(event.id), \(event.publisher), \(event.externalId), \(idempotencyKey), \(event.topic), \(event.urgency.rawValue),
                \(Stored.list(event.areas)), \(event.title), \(event.body), \(event.classification.rawValue), \(Stored.millis(event.publishedAt)),
                \(Stored.millis(event.expiresAt)), \(data), \(deliveryCount), \(event.exercise), \(Stored.millis(event.purgedAt)), \(event.test),
                \(event.messageType.rawValue), \(Stored.list(event.references)), \(translations), \(event.references.first), \(fingerprint)
            ) ON CONFLICT DO NOTHING RETURNING id
            """
    }
}
