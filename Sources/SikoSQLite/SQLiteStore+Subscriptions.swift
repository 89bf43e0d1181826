import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = SubscriptionRecord.Columns
    private typealias DeliveryColumns = DeliveryRecord.Columns

    public func subscriptionCount(partner: String) async throws -> Int {
        try await pool.read { db in try Self.subscriptionCount(partner: partner, db: db) }
    }

    public func insertSubscription(_ subscription: Subscription, secret: String?, maxPerPartner: Int, audit: AuditRecord) async throws -> Bool {
        let record = SubscriptionRecord(subscription, sealedSecret: secret.map(sealer.seal))
        // A write transaction is IMMEDIATE: it holds the one write lock from the count on, so no
        // other create (in this process or another) can insert between the count and the insert.
        return try await pool.write { db in
            guard try Self.subscriptionCount(partner: subscription.partner, db: db) < maxPerPartner else { return false }
            try record.insert(db)
            try Self.appendAudit([audit], db: db)
            return true
        }
    }

    /// Answered from the partial index `subscription_partner`, which holds the live rows only.
    private static func subscriptionCount(partner: String, db: Database) throws -> Int {
        try SubscriptionRecord.filter(Columns.partner == partner && SubscriptionRecord.isLive).fetchCount(db)
    }

    public func updateSubscription(
        _ new: Subscription, from old: Subscription, review: @escaping @Sendable ([OpenDelivery]) -> [DeliveryRevision], audit: AuditRecord
    ) async throws -> Bool {
        try await pool.write { db in
            // Compare-and-set: the row must still hold what `old` read.
            let changed = try SubscriptionRecord
                .filter(Columns.id == new.id && SubscriptionRecord.isLive)
                .filter(Columns.name == old.name && Columns.areas == StoredValue.list(old.areas) && Columns.topics == StoredValue.list(old.topics))
                .filter(Columns.minUrgency == old.minUrgency.rawValue && Columns.target == old.target)
                .filter(Columns.language == old.language.rawValue && Columns.format == old.format.rawValue && Columns.enabled == old.enabled)
                .filter(sql: "\(Columns.disabledReason.name) IS ?", arguments: [old.disabledReason])
                .updateAll(db, [
                    Columns.name.set(to: new.name), Columns.areas.set(to: StoredValue.list(new.areas)),
                    Columns.topics.set(to: StoredValue.list(new.topics)), Columns.minUrgency.set(to: new.minUrgency.rawValue),
                    Columns.channel.set(to: new.channel.rawValue), Columns.target.set(to: new.target),
                    Columns.language.set(to: new.language.rawValue), Columns.format.set(to: new.format.rawValue),
                    Columns.enabled.set(to: new.enabled),
                    Columns.disabledReason.set(to: new.disabledReason), Columns.updatedAt.set(to: StoredValue.millis(new.updatedAt)),
                ])
            guard changed == 1 else {
                if try SubscriptionRecord.filter(Columns.id == new.id && SubscriptionRecord.isLive).isEmpty(db) {
                    throw StoreError.notFound("subscription \(new.id)")
                }
                return false
            }
            try Self.appendAudit([audit], db: db)
            let open = try DeliveryRecord.filter(DeliveryColumns.subscriptionId == new.id).filter(sql: DeliveryRecord.isOpen).fetchAll(db)
                .map(\.delivery)
            guard !open.isEmpty else { return true }
            let events = try EventRecord.fetchAll(db, keys: Set(open.map(\.eventId)))
            let byID = Dictionary(events.map { ($0.event.id, $0.event) }, uniquingKeysWith: { first, _ in first })
            let revisions = review(open.compactMap { delivery in byID[delivery.eventId].map { OpenDelivery(delivery: delivery, event: $0) } })
            try Self.apply(revisions, at: StoredValue.millis(new.updatedAt), db: db)
            return true
        }
    }

    private static let suppressOpen = """
        UPDATE delivery SET \(DeliveryColumns.status.name) = \(StoredValue.literal(.suppressed)), \(DeliveryColumns.lastError.name) = ?,
            \(DeliveryColumns.nextAttemptAt.name) = NULL, \(DeliveryColumns.updatedAt.name) = ?
        WHERE \(DeliveryColumns.id.name) = ? AND \(DeliveryRecord.isOpen)
        """
    private static let retargetOpen = """
        UPDATE delivery SET \(DeliveryColumns.target.name) = ?, \(DeliveryColumns.content.name) = ?, \(DeliveryColumns.rule.name) = ?,
            \(DeliveryColumns.updatedAt.name) = ?
        WHERE \(DeliveryColumns.id.name) = ? AND \(DeliveryRecord.isOpen)
        """

    private static func apply(_ revisions: [DeliveryRevision], at millis: Int64, db: Database) throws {
        let suppress = try db.cachedStatement(sql: suppressOpen)
        let retarget = try db.cachedStatement(sql: retargetOpen)
        for revision in revisions {
            switch revision {
            case .suppress(let id, let reason): try suppress.execute(arguments: [reason, millis, id])
            case .retarget(let id, let target, let content, let rule): try retarget.execute(arguments: [target, content.rawValue, rule?.rawValue, millis, id])
            }
        }
    }

    public func deleteSubscription(id: String, at date: Date, audit: AuditRecord) async throws {
        let now = StoredValue.millis(date)
        try await pool.write { db in
            let deleted = try SubscriptionRecord.filter(Columns.id == id && SubscriptionRecord.isLive).updateAll(db, [
                Columns.deletedAt.set(to: now), Columns.enabled.set(to: false), Columns.updatedAt.set(to: now),
            ])
            guard deleted == 1 else { throw StoreError.notFound("subscription \(id)") }
            try Self.suppressOpenDeliveries(of: id, reason: SubscriptionStop.deleted, at: now, db: db)
            try Self.appendAudit([audit], db: db)
        }
    }

    public func subscription(id: String) async throws -> Subscription? {
        try await pool.read { db in
            try SubscriptionRecord.filter(Columns.id == id && SubscriptionRecord.isLive).fetchOne(db)?.subscription
        }
    }

    public func subscriptions(partner: String?) async throws -> [Subscription] {
        try await pool.read { db in
            var request = SubscriptionRecord.filter(SubscriptionRecord.isLive).order(Columns.id)
            if let partner { request = request.filter(Columns.partner == partner) }
            return try request.fetchAll(db).map(\.subscription)
        }
    }

    public func activeSubscriptions() async throws -> [Subscription] {
        try await pool.read { db in
            try SubscriptionRecord.filter(Columns.enabled == true && SubscriptionRecord.isLive).fetchAll(db).map(\.subscription)
        }
    }

    public func disableIfFailing(
        subscriptionID: String, since cutoff: Date, reason: String, at date: Date, audit: AuditRecord
    ) async throws -> Bool {
        let disabling = SubscriptionDisabling.failing(reason)
        return try await pool.write { db in
            let disabled = try SubscriptionRecord
                .filter(Columns.id == subscriptionID && Columns.enabled == true)
                .filter(Columns.failingSince != nil && Columns.failingSince <= StoredValue.millis(cutoff))
                .updateAll(db, [
                    Columns.enabled.set(to: false), Columns.disabledReason.set(to: disabling.disabledReason),
                    Columns.updatedAt.set(to: StoredValue.millis(date)),
                ])
            guard disabled > 0 else { return false }
            try Self.suppressOpenDeliveries(of: subscriptionID, reason: disabling.suppressionReason, at: StoredValue.millis(date), db: db)
            try Self.appendAudit([audit], db: db)
            return true
        }
    }

    /// The gateway disabling a subscription on its own finding (a 410 in a completion).
    static func disable(_ subscriptionID: String, _ disabling: SubscriptionDisabling, at millis: Int64, db: Database) throws {
        try SubscriptionRecord.filter(Columns.id == subscriptionID).updateAll(db, [
            Columns.enabled.set(to: false), Columns.disabledReason.set(to: disabling.disabledReason), Columns.updatedAt.set(to: millis),
        ])
        try suppressOpenDeliveries(of: subscriptionID, reason: disabling.suppressionReason, at: millis, db: db)
    }

    /// Nothing more goes to a disabled or deleted subscription: its open deliveries stop, on record.
    static func suppressOpenDeliveries(of subscriptionID: String, reason: String, at millis: Int64, db: Database) throws {
        try DeliveryRecord.filter(DeliveryColumns.subscriptionId == subscriptionID).filter(sql: DeliveryRecord.isOpen).updateAll(db, [
            DeliveryColumns.status.set(to: DeliveryStatus.suppressed.rawValue), DeliveryColumns.lastError.set(to: reason),
            DeliveryColumns.nextAttemptAt.set(to: nil), DeliveryColumns.updatedAt.set(to: millis),
        ])
    }
}
