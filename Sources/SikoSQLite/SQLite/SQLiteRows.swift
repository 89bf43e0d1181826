import Foundation
import GRDB
import SikoModel

/// Mapping between rows and model values, kept in one place so every query decodes alike.
enum SQLiteRows {
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func millis(_ date: Date?) -> Int64? { date.map(millis) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func date(_ millis: Int64?) -> Date? { millis.map(date) }

    /// Slugs contain no commas, so lists of them are stored comma-joined.
    static func list(_ values: [String]) -> String { values.joined(separator: ",") }
    static func list(_ text: String) -> [String] { text.isEmpty ? [] : text.split(separator: ",").map(String.init) }

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func event(_ row: Row) throws -> Event {
        let data: JSONValue? = try (row["data"] as String?).map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        return Event(
            id: row["id"], externalId: row["external_id"], publisher: row["publisher"], topic: row["topic"],
            urgency: try enumValue(row["urgency"]), areas: list(row["areas"] as String), title: row["title"], body: row["body"],
            classification: try enumValue(row["classification"]), publishedAt: date(row["published_at"] as Int64),
            expiresAt: date(row["expires_at"] as Int64?), data: data, exercise: row["exercise"],
            purgedAt: date(row["purged_at"] as Int64?)
        )
    }

    static func subscription(_ row: Row) throws -> Subscription {
        Subscription(
            id: row["id"], partner: row["partner"], name: row["name"], areas: list(row["areas"] as String),
            topics: list(row["topics"] as String), minUrgency: try enumValue(row["min_urgency"]),
            channel: try enumValue(row["channel"]), target: row["target"], language: try enumValue(row["language"]),
            enabled: row["enabled"], disabledReason: row["disabled_reason"],
            createdAt: date(row["created_at"] as Int64), updatedAt: date(row["updated_at"] as Int64)
        )
    }

    static func delivery(_ row: Row) throws -> Delivery {
        Delivery(
            id: row["id"], eventId: row["event_id"], subscriptionId: row["subscription_id"], partner: row["partner"],
            channel: try enumValue(row["channel"]), target: row["target"], status: try enumValue(row["status"]),
            attempts: row["attempts"], lastError: row["last_error"], nextAttemptAt: date(row["next_attempt_at"] as Int64?),
            content: try enumValue(row["content"]), rule: try (row["rule"] as String?).map(enumValue),
            createdAt: date(row["created_at"] as Int64), updatedAt: date(row["updated_at"] as Int64)
        )
    }

    static func attempt(_ row: Row) throws -> Attempt {
        Attempt(
            deliveryId: row["delivery_id"], number: row["number"], startedAt: date(row["started_at"] as Int64),
            finishedAt: date(row["finished_at"] as Int64), status: try enumValue(row["status"]),
            responseCode: row["response_code"], error: row["error"]
        )
    }

    static func key(_ row: Row) -> StoredKey {
        StoredKey(
            id: row["id"], partner: row["partner"], hash: row["hash"],
            scopes: Set((row["scopes"] as String).split(separator: " ").compactMap { Scope(rawValue: String($0)) }),
            createdAt: date(row["created_at"] as Int64), expiresAt: date(row["expires_at"] as Int64?),
            revokedAt: date(row["revoked_at"] as Int64?), lastUsedAt: date(row["last_used_at"] as Int64?),
            signingSecret: row["signing_secret"]
        )
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            sequence: row["sequence"],
            record: AuditRecord(
                at: date(row["at"] as Int64), partner: row["partner"], actor: row["actor"], rawAction: row["action"],
                object: row["object"], detail: row["detail"]
            ),
            previousHash: row["previous_hash"], hash: row["hash"]
        )
    }

    private static func enumValue<T: RawRepresentable>(_ raw: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw StoreError.corrupt("unexpected value '\(raw)' for \(T.self)") }
        return value
    }
}
