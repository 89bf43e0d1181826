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
    static func flushPublishes(_ batch: [PublishRequest], pool: DatabasePool) async -> [Result<PublishResult, any Error>] {
        do {
            return try await pool.write { db in try publishAndAudit(batch, db: db).map { .success($0) } }
        } catch {
            guard batch.count > 1 else { return [.failure(error)] }
            var results: [Result<PublishResult, any Error>] = []
            for request in batch {
                do {
                    results.append(.success(try await pool.write { db in try publishAndAudit([request], db: db)[0] }))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private static func publishAndAudit(_ requests: [PublishRequest], db: Database) throws -> [PublishResult] {
        let results = try requests.map { try publish($0, db: db) }
        let audit = zip(requests, results).compactMap { request, result in result.duplicate ? nil : request.audit }
        if !audit.isEmpty { try appendAudit(audit, db: db) }
        return results
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
        for delivery in request.deliveries {
            var delivery = delivery
            delivery.eventId = event.id
            delivery.attempts = 0
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
