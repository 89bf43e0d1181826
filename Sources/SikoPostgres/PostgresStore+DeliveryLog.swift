import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: DeliveryLog {
    public func delivery(id: String) async throws -> Delivery? {
        try await rows("SELECT \(unescaped: DeliveryRow.columns) FROM delivery WHERE id = \(id)").first.map(DeliveryRow.decode)
    }

    public func attempts(deliveryID: String) async throws -> [Attempt] {
        try await rows("SELECT \(unescaped: AttemptRow.columns) FROM attempt WHERE delivery_id = \(deliveryID) ORDER BY number")
            .map(AttemptRow.decode)
    }

    public func deliveries(matching query: DeliveryQuery) async throws -> [Delivery] {
        var filter = DeliveryFilter(query)
        let limit = filter.bind(query.pageLimit)
        return try await rows(filter.query("SELECT \(DeliveryRow.qualified) FROM delivery d WHERE", then: "ORDER BY d.id DESC LIMIT \(limit)"))
            .map(DeliveryRow.decode)
    }

    public func deliveryCounts(eventID: String) async throws -> [DeliveryStatus: Int] {
        var counts: [DeliveryStatus: Int] = [:]
        for row in try await rows("SELECT status, count(*) FROM delivery WHERE event_id = \(eventID) GROUP BY status") {
            let (raw, count) = try row.decode((String, Int).self)
            if let status = DeliveryStatus(rawValue: raw) { counts[status] = count }
        }
        return counts
    }

    public func deliveryTally(since date: Date, visibleTo partner: String?) async throws -> [DeliveryTally] {
        try await rows("""
            SELECT channel, status, count(*) FROM delivery
            WHERE id >= \(Identifier.lowerBound("dlv", at: date)) AND (\(partner)::text IS NULL OR partner = \(partner) OR publisher = \(partner))
            GROUP BY channel, status
            """).compactMap { row in
            let (channel, status, count) = try row.decode((String, String, Int).self)
            guard let channel = ChannelKind(rawValue: channel), let status = DeliveryStatus(rawValue: status) else { return nil }
            return DeliveryTally(channel: channel, status: status, count: count)
        }
    }

    public func deliveries(eventID: String) async throws -> [Delivery] {
        try await rows("SELECT \(unescaped: DeliveryRow.columns) FROM delivery WHERE event_id = \(eventID) ORDER BY id").map(DeliveryRow.decode)
    }

    public func sends(channel: ChannelKind, since date: Date) async throws -> [(target: String, at: Date)] {
        try await rows("""
            SELECT target, created_at FROM delivery
            WHERE id >= \(Identifier.lowerBound("dlv", at: date)) AND channel = \(channel.rawValue) AND status <> \(unescaped: Stored.literal(.suppressed))
                AND event_id NOT IN (SELECT id FROM event WHERE id >= \(Identifier.lowerBound("evt", at: date)) AND test)
            """).map { row in
            let (target, at) = try row.decode((String, Int64).self)
            return (target: target, at: Stored.date(at))
        }
    }

    public func requeue(matching query: DeliveryQuery, at date: Date, audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int {
        let statement = Self.requeue(DeliveryFilter(query), limit: query.retryLimit, at: Stored.millis(date))
        let logger = self.logger
        return try await transaction { connection in
            let count = try await connection.execute(statement, logger: logger)
            if count > 0 { try await Self.appendAudit([audit(count)], on: connection, logger: logger) }
            return count
        }
    }

    public func requeue(deliveryID: String, at date: Date, audit: AuditRecord) async throws -> Delivery? {
        var filter = DeliveryFilter()
        filter.add(deliveryID) { "d.id = \($0)" }
        let statement = Self.requeue(filter, limit: 1, at: Stored.millis(date))
        let logger = self.logger
        return try await transaction { connection in
            if try await connection.execute(statement, logger: logger) == 1 { try await Self.appendAudit([audit], on: connection, logger: logger) }
            return try await connection.rows("SELECT \(unescaped: DeliveryRow.columns) FROM delivery WHERE id = \(deliveryID)", logger: logger)
                .first.map(DeliveryRow.decode)
        }
    }

    /// A retry puts a `requeueable` delivery back to `pending`, due now, unless its subscription
    /// went away: then nothing would send it. The subscription is read under a share lock, so a
    /// disable or delete committing meanwhile is waited for and seen (as SQLite's single writer
    /// would order them); the state is checked again by the update, which waits for a claim or a
    /// completion of the same delivery and skips it if that moved it on.
    private static func requeue(_ filter: DeliveryFilter, limit: Int, at now: Int64) -> PostgresQuery {
        var filter = filter
        let requeueable = Stored.literals(DeliveryStatus.requeueable)
        filter.conditions.append("d.status IN \(requeueable)")
        filter.conditions.append("s.enabled AND s.deleted_at IS NULL")
        let limit = filter.bind(limit)
        let now = filter.bind(now)
        return filter.query(
            "WITH chosen AS (SELECT d.id FROM delivery d JOIN subscription s ON s.id = d.subscription_id WHERE",
            then: """
                ORDER BY d.id LIMIT \(limit) FOR SHARE OF s)
                UPDATE delivery SET status = \(Stored.literal(.pending)), next_attempt_at = \(now), updated_at = \(now)
                WHERE id IN (SELECT id FROM chosen) AND status IN \(requeueable)
                """
        )
    }
}

/// A `DeliveryQuery` as SQL conditions on `delivery d`, with their values bound.
private struct DeliveryFilter {
    var conditions: [String] = []
    private var binds = PostgresBindings()

    init() {}

    init(_ query: DeliveryQuery) {
        if let status = query.status { add(status.rawValue) { "d.status = \($0)" } }
        if let channel = query.channel { add(channel.rawValue) { "d.channel = \($0)" } }
        if let eventId = query.eventId { add(eventId) { "d.event_id = \($0)" } }
        if let subscriptionId = query.subscriptionId { add(subscriptionId) { "d.subscription_id = \($0)" } }
        if let partner = query.visibleTo { add(partner) { "(d.partner = \($0) OR d.publisher = \($0))" } }
        if let after = query.after { add(after) { "d.id < \($0)" } }
    }

    /// Binds `value` and adds the condition `condition` makes of its placeholder.
    mutating func add(_ value: String, _ condition: (String) -> String) {
        conditions.append(condition(bind(value)))
    }

    /// Binds `value` and answers its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// `head`, the conditions joined by `AND`, then `tail`.
    func query(_ head: String, then tail: String) -> PostgresQuery {
        let conditions = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        return PostgresQuery(unsafeSQL: "\(head) \(conditions)\n\(tail)", binds: binds)
    }
}

extension PostgresStore: ReceiptStore {
    /// The delivery is read under a row lock, so reports of one delivery, and its completion,
    /// follow one another as under SQLite's single writer.
    public func recordReceipt(_ receipt: Receipt) async throws -> Delivery? {
        let now = Stored.millis(receipt.receivedAt)
        let logger = self.logger
        return try await transaction { connection in
            guard let delivery = try await connection.rows(
                "SELECT \(unescaped: DeliveryRow.columns) FROM delivery WHERE id = \(receipt.deliveryId) FOR UPDATE", logger: logger
            ).first.map(DeliveryRow.decode) else { return nil }
            let purged = try await !connection.rows(
                "SELECT 1 FROM event WHERE id = \(delivery.eventId) AND purged_at IS NOT NULL", logger: logger
            ).isEmpty
            let effect = receipt.effect(on: delivery.status, eventPurged: purged)
            try await connection.execute(ReceiptRow.insert(receipt, detail: effect.detail), logger: logger)
            guard let next = effect.next else { return delivery }
            return try await connection.rows("""
                UPDATE delivery SET status = \(next.rawValue), next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
                    last_error = COALESCE(\(effect.lastError), last_error), updated_at = \(now)
                WHERE id = \(receipt.deliveryId)
                RETURNING \(unescaped: DeliveryRow.columns)
                """, logger: logger).first.map(DeliveryRow.decode)
        }
    }

    public func receipts(deliveryID: String) async throws -> [Receipt] {
        try await rows("SELECT \(unescaped: ReceiptRow.columns) FROM receipt WHERE delivery_id = \(deliveryID) ORDER BY received_at, code")
            .compactMap(ReceiptRow.decode)
    }
}
