import Foundation
import GRDB
import SikoModel

private typealias D = DeliveryRecord.Columns
private typealias S = SubscriptionRecord.Columns

extension SQLiteStore {
    public func delivery(id: String) async throws -> Delivery? {
        try await pool.read { db in try DeliveryRecord.fetchOne(db, key: id)?.delivery }
    }

    public func attempts(deliveryID: String) async throws -> [Attempt] {
        try await pool.read { db in
            try AttemptRecord.filter(AttemptRecord.Columns.deliveryId == deliveryID).order(AttemptRecord.Columns.number).fetchAll(db)
                .map(\.attempt)
        }
    }

    public func deliveries(matching query: DeliveryQuery) async throws -> [Delivery] {
        try await pool.read { db in
            try Self.filtered(query).order(D.id.desc).limit(query.pageLimit).fetchAll(db).map(\.delivery)
        }
    }

    private static func filtered(_ query: DeliveryQuery) -> QueryInterfaceRequest<DeliveryRecord> {
        var request = DeliveryRecord.all()
        if let status = query.status { request = request.filter(D.status == status.rawValue) }
        if let channel = query.channel { request = request.filter(D.channel == channel.rawValue) }
        if let eventId = query.eventId { request = request.filter(D.eventId == eventId) }
        if let subscriptionId = query.subscriptionId { request = request.filter(D.subscriptionId == subscriptionId) }
        if let partner = query.visibleTo { request = request.filter(D.partner == partner || D.publisher == partner) }
        if let after = query.after { request = request.filter(D.id < after) }
        return request
    }

    public func deliveryCounts(eventID: String) async throws -> [DeliveryStatus: Int] {
        try await pool.read { db in
            var counts: [DeliveryStatus: Int] = [:]
            let request = DeliveryRecord.select(D.status, SQL("COUNT(*)")).filter(D.eventId == eventID).group(D.status)
            for row in try Row.fetchAll(db, request) {
                if let status = DeliveryStatus(rawValue: row[0]) { counts[status] = row[1] }
            }
            return counts
        }
    }

    public func deliveryTally(since date: Date, visibleTo partner: String?) async throws -> [DeliveryTally] {
        try await pool.read { db in
            var request = DeliveryRecord.select(D.channel, D.status, SQL("COUNT(*)")).filter(D.id >= Identifier.lowerBound("dlv", at: date))
            if let partner { request = request.filter(D.partner == partner || D.publisher == partner) }
            return try Row.fetchAll(db, request.group(D.channel, D.status)).compactMap { row in
                guard let channel = ChannelKind(rawValue: row[0]), let status = DeliveryStatus(rawValue: row[1]) else { return nil }
                return DeliveryTally(channel: channel, status: status, count: row[2])
            }
        }
    }

    public func deliveries(eventID: String) async throws -> [Delivery] {
        try await pool.read { db in
            try DeliveryRecord.filter(D.eventId == eventID).order(D.id).fetchAll(db).map(\.delivery)
        }
    }

    public func sends(channel: ChannelKind, since date: Date) async throws -> [(target: String, at: Date)] {
        try await pool.read { db in
            let request = DeliveryRecord.select(D.target, D.createdAt)
                .filter(D.id >= Identifier.lowerBound("dlv", at: date) && D.channel == channel.rawValue)
                .filter(D.status != DeliveryStatus.suppressed.rawValue)
                .filter(!Self.testEvents(since: date).contains(D.eventId))
            return try Row.fetchAll(db, request).map { ($0[0] as String, StoredValue.date($0[1] as Int64)) }
        }
    }

    private static func testEvents(since date: Date) -> QueryInterfaceRequest<EventRecord> {
        EventRecord.select(EventRecord.Columns.id)
            .filter(EventRecord.Columns.id >= Identifier.lowerBound("evt", at: date) && EventRecord.Columns.test == true)
    }

    /// A retry puts a `requeueable` delivery back to `pending`, due now, unless its subscription
    /// went away: then nothing would send it.
    private static let requeueableStates = DeliveryStatus.requeueable.map(\.rawValue)
    private static var activeSubscriptions: QueryInterfaceRequest<SubscriptionRecord> {
        SubscriptionRecord.select(S.id).filter(S.enabled == true && SubscriptionRecord.isLive)
    }

    private static func requeue(_ deliveries: QueryInterfaceRequest<DeliveryRecord>, at now: Int64, db: Database) throws -> Int {
        try deliveries.updateAll(db, [
            D.status.set(to: DeliveryStatus.pending.rawValue), D.nextAttemptAt.set(to: now), D.updatedAt.set(to: now),
        ])
    }

    public func requeue(matching query: DeliveryQuery, at date: Date, audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int {
        let now = StoredValue.millis(date)
        let chosen = Self.filtered(query)
            .filter(Self.requeueableStates.contains(D.status))
            .filter(Self.activeSubscriptions.contains(D.subscriptionId))
            .select(D.id).order(D.id).limit(query.retryLimit)
        return try await pool.write { db in
            let count = try Self.requeue(DeliveryRecord.filter(chosen.contains(D.id)), at: now, db: db)
            if count > 0 { try Self.appendAudit([audit(count)], db: db) }
            return count
        }
    }

    public func requeue(deliveryID: String, at date: Date, audit: AuditRecord) async throws -> Delivery? {
        let now = StoredValue.millis(date)
        return try await pool.write { db in
            let one = DeliveryRecord.filter(D.id == deliveryID && Self.requeueableStates.contains(D.status))
                .filter(Self.activeSubscriptions.contains(D.subscriptionId))
            if try Self.requeue(one, at: now, db: db) == 1 { try Self.appendAudit([audit], db: db) }
            return try DeliveryRecord.fetchOne(db, key: deliveryID)?.delivery
        }
    }
}
