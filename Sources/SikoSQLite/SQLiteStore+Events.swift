import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = EventRecord.Columns

    public func publish(_ request: PublishRequest) async throws -> PublishResult {
        try await publisher.submit(request)
    }

    /// Writes a batch in one transaction. Should the batch fail as a whole, each request is written
    /// on its own, so one bad request cannot take the others down with it.
    static func flushPublishes(_ batch: [PublishRequest], pool: DatabasePool, sealer: any SecretSealing) async -> [Result<PublishResult, any Error>] {
        do {
            return try await pool.write { db in try publishAndAudit(batch, sealer: sealer, db: db).map { .success($0) } }
        } catch {
            guard batch.count > 1 else { return [.failure(error)] }
            var results: [Result<PublishResult, any Error>] = []
            for request in batch {
                do {
                    results.append(.success(try await pool.write { db in try publishAndAudit([request], sealer: sealer, db: db)[0] }))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private static func publishAndAudit(_ requests: [PublishRequest], sealer: any SecretSealing, db: Database) throws -> [PublishResult] {
        var results = try requests.map { try publish($0, db: db) }
        let audit = zip(requests, results).compactMap { request, result in result.duplicate ? nil : request.audit }
        if !audit.isEmpty { try appendAudit(audit, db: db) }
        try handOff(requests, &results, sealer: sealer, db: db)
        return results
    }

    private static let leaseHandedSQL = """
        UPDATE delivery SET \(DeliveryRecord.Columns.leaseOwner.name) = ?, \(DeliveryRecord.Columns.leaseExpiresAt.name) = ?
        WHERE \(DeliveryRecord.Columns.id.name) IN (SELECT value FROM json_each(?))
        """

    /// Leases the handed-off deliveries of the stored (not replayed) events and answers their jobs.
    private static func handOff(_ requests: [PublishRequest], _ results: inout [PublishResult], sealer: any SecretSealing, db: Database) throws {
        for (index, request) in requests.enumerated() {
            guard let handoff = request.handoff, !results[index].duplicate else { continue }
            let leased = request.deliveries.filter { handoff.deliveryIds.contains($0.id) }.map(Self.handed)
            guard !leased.isEmpty else { continue }
            try db.cachedStatement(sql: leaseHandedSQL).execute(arguments: [
                handoff.owner, StoredValue.millis(handoff.leaseUntil), try StoredValue.jsonArray(leased.map(\.id)),
            ])
            let event = request.event
            results[index].jobs = try jobs(
                for: leased, events: [event.id: event], at: StoredValue.millis(event.publishedAt), sealer: sealer, db: db
            )
        }
    }

    /// A delivery as a handoff stores it: being sent, its first attempt counted as a claim would.
    private static func handed(_ delivery: Delivery) -> Delivery {
        var delivery = delivery
        delivery.status = .sending
        delivery.attempts = 1
        return delivery
    }

    /// Selected in this order, read by position.
    private static let earlierByExternalID = """
        SELECT \(Columns.id.name), \(Columns.deliveryCount.name) FROM event
        WHERE \(Columns.publisher.name) = ? AND \(Columns.externalId.name) = ?
        """
    private static let earlierByIdempotencyKey = """
        SELECT \(Columns.id.name), \(Columns.deliveryCount.name) FROM event
        WHERE \(Columns.publisher.name) = ? AND \(Columns.idempotencyKey.name) = ?
        """

    private static func publish(_ request: PublishRequest, db: Database) throws -> PublishResult {
        let event = request.event
        if let externalId = event.externalId,
           let row = try Row.fetchOne(db.cachedStatement(sql: earlierByExternalID), arguments: [event.publisher, externalId]) {
            return PublishResult(eventId: row[0], deliveries: row[1], duplicate: true)
        }
        if let key = request.idempotencyKey,
           let row = try Row.fetchOne(db.cachedStatement(sql: earlierByIdempotencyKey), arguments: [event.publisher, key]) {
            return PublishResult(eventId: row[0], deliveries: row[1], duplicate: true)
        }
        try EventRecord(event, idempotencyKey: request.idempotencyKey, deliveryCount: request.deliveries.count).insertCached(db)
        if let supersession = request.supersedes {
            try stopOpenDeliveries(of: supersession, at: StoredValue.millis(event.publishedAt), db: db)
        }
        let handed = request.handoff?.deliveryIds ?? []
        for delivery in request.deliveries {
            var delivery = delivery
            delivery.eventId = event.id
            delivery.attempts = 0
            if handed.contains(delivery.id) { delivery = Self.handed(delivery) }
            try DeliveryRecord(delivery, publisher: event.publisher).insertCached(db)
        }
        return PublishResult(eventId: event.id, deliveries: request.deliveries.count, duplicate: false)
    }

    public func events(publishedSince date: Date) async throws -> [Event] {
        try await pool.read { db in
            try EventRecord.filter(Columns.id >= Identifier.lowerBound("evt", at: date)).order(Columns.id).fetchAll(db).map(\.event)
        }
    }

    public func event(id: String) async throws -> Event? {
        try await pool.read { db in try EventRecord.fetchOne(db, key: id)?.event }
    }

    public func event(publisher: String, idempotencyKey: String) async throws -> Event? {
        try await pool.read { db in
            try EventRecord.filter(Columns.publisher == publisher && Columns.idempotencyKey == idempotencyKey).fetchOne(db)?.event
        }
    }

    public func chain(of original: String) async throws -> [Event] {
        try await pool.read { db in
            try EventRecord.filter(Columns.id == original || Columns.originalId == original).order(Columns.id).fetchAll(db).map(\.event)
        }
    }

    private static func stopOpenDeliveries(of supersession: Supersession, at millis: Int64, db: Database) throws {
        let D = DeliveryRecord.Columns.self
        try DeliveryRecord.filter(supersession.eventIds.contains(D.eventId)).filter(sql: DeliveryRecord.isOpen).updateAll(db, [
            D.status.set(to: DeliveryStatus.suppressed.rawValue), D.lastError.set(to: supersession.reason),
            D.nextAttemptAt.set(to: nil), D.updatedAt.set(to: millis),
        ])
    }
}

extension SQLiteStore {
    public func recentEvents(visibleTo partner: String?, before: String?, limit: Int) async throws -> [Event] {
        try await pool.read { db in
            var request = EventRecord.all()
            if let partner {
                let received = DeliveryRecord.select(DeliveryRecord.Columns.eventId).filter(DeliveryRecord.Columns.partner == partner)
                request = request.filter(Columns.publisher == partner || received.contains(Columns.id))
            }
            if let before { request = request.filter(Columns.id < before) }
            return try request.order(Columns.id.desc).limit(max(1, min(limit, 1000))).fetchAll(db).map(\.event)
        }
    }
}
