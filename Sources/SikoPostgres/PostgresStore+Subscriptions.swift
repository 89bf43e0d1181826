import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: SubscriptionStore {
    /// The class of the per-partner locks that serialise creates against the cap. Advisory locks
    /// with two 32-bit keys live apart from those with one 64-bit key (`auditLock`, the migration
    /// lock), so a partner's hash can never collide with them.
    static let subscriptionCapLock: Int32 = 0x51C0_0003

    public func subscriptionCount(partner: String) async throws -> Int {
        try await rows(Self.countQuery(partner: partner))[0].decode(Int.self)
    }

    public func insertSubscription(_ subscription: Subscription, secret: String?, maxPerPartner: Int, audit: AuditRecord) async throws -> Bool {
        let sealer = self.sealer
        let row = SubscriptionRow(subscription, sealedSecret: secret.map { sealer.seal($0) })
        let logger = self.logger
        return try await transaction { connection in
            // No row lock can stop another gateway's insert, so creates of one partner queue on a
            // lock of their own, held to the commit. Under READ COMMITTED the count, a statement
            // begun after the lock was granted, sees every insert committed before it.
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(\(Self.subscriptionCapLock), hashtext(\(subscription.partner)))", logger: logger
            )
            let count = try await connection.rows(Self.countQuery(partner: subscription.partner), logger: logger)[0].decode(Int.self)
            guard count < maxPerPartner else { return false }
            try await connection.execute(row.insert(), logger: logger)
            try await Self.appendAudit([audit], on: connection, logger: logger)
            return true
        }
    }

    /// Answered from the partial index `subscription_partner`, which holds the live rows only.
    private static func countQuery(partner: String) -> PostgresQuery {
        "SELECT count(*) FROM subscription WHERE partner = \(partner) AND deleted_at IS NULL"
    }

    public func updateSubscription(
        _ new: Subscription, from old: Subscription, review: @escaping @Sendable ([OpenDelivery]) -> [DeliveryRevision], audit: AuditRecord
    ) async throws -> Bool {
        let logger = self.logger
        let millis = Stored.millis(new.updatedAt)
        return try await transaction { connection in
            // Compare-and-set: the row must still hold what `old` read. A concurrent change holds
            // the row until it commits; PostgreSQL then checks these conditions against its result.
            let changed = try await connection.execute("""
                UPDATE subscription SET name = \(new.name), areas = \(Stored.list(new.areas)), topics = \(Stored.list(new.topics)),
                    min_urgency = \(new.minUrgency.rawValue), channel = \(new.channel.rawValue), target = \(new.target),
                    language = \(new.language.rawValue), format = \(new.format.rawValue), enabled = \(new.enabled),
                    disabled_reason = \(new.disabledReason), updated_at = \(millis)
                WHERE id = \(new.id) AND deleted_at IS NULL
                    AND name = \(old.name) AND areas = \(Stored.list(old.areas)) AND topics = \(Stored.list(old.topics))
                    AND min_urgency = \(old.minUrgency.rawValue) AND target = \(old.target) AND language = \(old.language.rawValue)
                    AND format = \(old.format.rawValue)
                    AND enabled = \(old.enabled) AND disabled_reason IS NOT DISTINCT FROM \(old.disabledReason)
                """, logger: logger)
            guard changed == 1 else {
                let live = try await connection.rows("SELECT 1 FROM subscription WHERE id = \(new.id) AND deleted_at IS NULL", logger: logger)
                if live.isEmpty { throw StoreError.notFound("subscription \(new.id)") }
                return false
            }
            // Locked, so that no claim takes one of them between the review and its revision: what
            // is reviewed is what is revised, as under SQLite's single writer.
            let open = try await connection.rows("""
                SELECT \(unescaped: DeliveryRow.columns) FROM delivery WHERE subscription_id = \(new.id) AND \(unescaped: DeliveryRow.isOpen) FOR UPDATE
                """, logger: logger).map(DeliveryRow.decode)
            if !open.isEmpty {
                let eventIds = Array(Set(open.map(\.eventId)))
                var events: [String: Event] = [:]
                for row in try await connection.rows("SELECT \(unescaped: EventRow.columns) FROM event WHERE id = ANY(\(eventIds))", logger: logger) {
                    let event = try EventRow(row).event
                    events[event.id] = event
                }
                let revisions = review(open.compactMap { delivery in events[delivery.eventId].map { OpenDelivery(delivery: delivery, event: $0) } })
                try await Self.apply(revisions, at: millis, on: connection, logger: logger)
            }
            // Last, so the chain's lock is held for the shortest time.
            try await Self.appendAudit([audit], on: connection, logger: logger)
            return true
        }
    }

    /// One statement per kind of revision, however many deliveries the subscription has open.
    private static func apply(_ revisions: [DeliveryRevision], at millis: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        struct Suppressed: Encodable {
            var id, reason: String
        }
        struct Retargeted: Encodable {
            var id, target, content: String
            var rule: String?
        }
        var suppressed: [Suppressed] = []
        var retargeted: [Retargeted] = []
        for revision in revisions {
            switch revision {
            case .suppress(let id, let reason): suppressed.append(Suppressed(id: id, reason: reason))
            case .retarget(let id, let target, let content, let rule):
                retargeted.append(Retargeted(id: id, target: target, content: content.rawValue, rule: rule?.rawValue))
            }
        }
        if !suppressed.isEmpty {
            try await connection.execute("""
                UPDATE delivery AS d SET status = \(unescaped: Stored.literal(.suppressed)), last_error = r.reason, next_attempt_at = NULL,
                    updated_at = \(millis)
                FROM json_to_recordset(\(try Stored.json(suppressed))::json) AS r(id text, reason text)
                WHERE d.id = r.id AND d.\(unescaped: DeliveryRow.isOpen)
                """, logger: logger)
        }
        if !retargeted.isEmpty {
            try await connection.execute("""
                UPDATE delivery AS d SET target = r.target, content = r.content, rule = r.rule, updated_at = \(millis)
                FROM json_to_recordset(\(try Stored.json(retargeted))::json) AS r(id text, target text, content text, rule text)
                WHERE d.id = r.id AND d.\(unescaped: DeliveryRow.isOpen)
                """, logger: logger)
        }
    }

    public func deleteSubscription(id: String, at date: Date, audit: AuditRecord) async throws {
        let now = Stored.millis(date)
        let logger = self.logger
        try await transaction { connection in
            let deleted = try await connection.execute("""
                UPDATE subscription SET deleted_at = \(now), enabled = false, updated_at = \(now) WHERE id = \(id) AND deleted_at IS NULL
                """, logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("subscription \(id)") }
            try await Self.suppressOpenDeliveries(of: id, reason: SubscriptionStop.deleted, at: now, on: connection, logger: logger)
            try await Self.appendAudit([audit], on: connection, logger: logger)
        }
    }

    public func subscription(id: String) async throws -> Subscription? {
        try await rows("SELECT \(unescaped: SubscriptionRow.columns) FROM subscription WHERE id = \(id) AND deleted_at IS NULL")
            .first.map { try SubscriptionRow($0).subscription }
    }

    public func subscriptions(partner: String?) async throws -> [Subscription] {
        try await rows("""
            SELECT \(unescaped: SubscriptionRow.columns) FROM subscription
            WHERE deleted_at IS NULL AND (\(partner)::text IS NULL OR partner = \(partner)) ORDER BY id
            """).map { try SubscriptionRow($0).subscription }
    }

    public func activeSubscriptions() async throws -> [Subscription] {
        try await rows("SELECT \(unescaped: SubscriptionRow.columns) FROM subscription WHERE enabled AND deleted_at IS NULL")
            .map { try SubscriptionRow($0).subscription }
    }

    public func disableIfFailing(
        subscriptionID: String, since cutoff: Date, reason: String, at date: Date, audit: AuditRecord
    ) async throws -> Bool {
        let disabling = SubscriptionDisabling.failing(reason)
        let now = Stored.millis(date)
        let logger = self.logger
        return try await transaction { connection in
            // A success recorded meanwhile by another gateway clears `failing_since`; the update
            // waits for it and then finds the condition false.
            let disabled = try await connection.execute("""
                UPDATE subscription SET enabled = false, disabled_reason = \(disabling.disabledReason), updated_at = \(now)
                WHERE id = \(subscriptionID) AND enabled AND failing_since IS NOT NULL AND failing_since <= \(Stored.millis(cutoff))
                """, logger: logger)
            guard disabled > 0 else { return false }
            try await Self.suppressOpenDeliveries(of: subscriptionID, reason: disabling.suppressionReason, at: now, on: connection, logger: logger)
            try await Self.appendAudit([audit], on: connection, logger: logger)
            return true
        }
    }
}
