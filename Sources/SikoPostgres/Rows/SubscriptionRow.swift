import Foundation
import PostgresNIO
import SikoModel

/// A row of `subscription`, with its signing secret as stored (sealed) and its deletion, which
/// keeps the row for the deliveries made to it. `failing_since` is the queue's bookkeeping.
struct SubscriptionRow {
    static let columns = """
        id, partner, name, areas, topics, min_urgency, channel, target, language, secret, enabled, disabled_reason, created_at,
        updated_at, deleted_at, format
        """

    var subscription: Subscription
    var sealedSecret: String?
    var deletedAt: Date?

    init(_ subscription: Subscription, sealedSecret: String?, deletedAt: Date? = nil) {
        self.subscription = subscription
        self.sealedSecret = sealedSecret
        self.deletedAt = deletedAt
    }

    init(_ row: PostgresRow) throws {
        var cells = Cells(row)
        let id: String = try cells.next()
        let partner: String = try cells.next()
        let name: String = try cells.next()
        let areas = Stored.list(try cells.next(String.self))
        let topics = Stored.list(try cells.next(String.self))
        let minUrgency: Urgency = try cells.enumValue()
        let channel: ChannelKind = try cells.enumValue()
        let target: String = try cells.next()
        let language: Language = try cells.enumValue()
        sealedSecret = try cells.next()
        let enabled: Bool = try cells.next()
        let disabledReason: String? = try cells.next()
        subscription = Subscription(
            id: id, partner: partner, name: name, areas: areas, topics: topics, minUrgency: minUrgency, channel: channel, target: target,
            language: language, enabled: enabled, disabledReason: disabledReason, createdAt: try cells.millis(), updatedAt: try cells.millis()
        )
        deletedAt = try cells.optionalMillis()
        subscription.format = try cells.enumValue()
    }

    func insert() -> PostgresQuery {
        let s = subscription
        return """
            INSERT INTO subscription (\(unescaped: Self.columns)) VALUES (
                \(s.id), \(s.partner), \(s.name), \(Stored.list(s.areas)), \(Stored.list(s.topics)), \(s.minUrgency.rawValue),
                \(s.channel.rawValue), \(s.target), \(s.language.rawValue), \(sealedSecret), \(s.enabled), \(s.disabledReason),
                \(Stored.millis(s.createdAt)), \(Stored.millis(s.updatedAt)), \(Stored.millis(deletedAt)), \(s.format.rawValue)
            )
            """
    }

    var state: SubscriptionState {
        SubscriptionState(enabled: subscription.enabled, disabledReason: subscription.disabledReason, deleted: deletedAt != nil)
    }
}
