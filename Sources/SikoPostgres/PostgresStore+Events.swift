import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: EventStore {
    public func publish(_ request: PublishRequest) async throws -> PublishResult {
        try await publisher.submit(request)
    }

    /// Writes a batch in one transaction. Should the batch fail as a whole, each request is written
    /// on its own, so one bad request cannot take the others down with it.
    static func flushPublishes(
        _ batch: [PublishRequest], client: PostgresClient, sealer: any SecretSealing, logger: Logger
    ) async -> [Result<PublishResult, any Error>] {
        do {
            return try await transaction(client, logger) { connection in
                try await publishAndAudit(batch, sealer: sealer, on: connection, logger: logger)
            }.map { .success($0) }
        } catch {
            // A server that cannot be reached refuses every request alike: trying each on its own
            // would make the last one wait a bound per request before it.
            guard batch.count > 1, StoreRefusal(error) == nil else { return batch.map { _ in .failure(error) } }
            var results: [Result<PublishResult, any Error>] = []
            for request in batch {
                do {
                    results.append(.success(try await transaction(client, logger) { connection in
                        try await publishAndAudit([request], sealer: sealer, on: connection, logger: logger)[0]
                    }))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// The audit entries go last: the chain's lock is then held for the shortest time.
    private static func publishAndAudit(
        _ requests: [PublishRequest], sealer: any SecretSealing, on connection: PostgresConnection, logger: Logger
    ) async throws -> [PublishResult] {
        var shared = try await SharedPolicies.read(for: requests, on: connection, logger: logger)
        var results: [PublishResult] = []
        for request in requests {
            results.append(try await publish(request, shared: &shared, sealer: sealer, on: connection, logger: logger))
        }
        let audit = zip(requests, results).compactMap { request, result in result.duplicate ? nil : request.audit }
        try await appendAudit(audit, on: connection, logger: logger)
        return results
    }

    private static func publish(
        _ request: PublishRequest, shared: inout SharedPolicies, sealer: any SecretSealing, on connection: PostgresConnection, logger: Logger
    ) async throws -> PublishResult {
        let event = request.event
        if let earlier = try await earlier(request, on: connection, logger: logger) { return earlier }
        var request = request
        var decided = shared
        let fingerprint = decided.apply(to: &request)
        let row = EventRow(event, idempotencyKey: request.idempotencyKey, deliveryCount: request.deliveries.count, fingerprint: fingerprint)
        guard try await !connection.rows(try row.insert(), logger: logger).isEmpty else {
            // Another gateway stored the same event (or key) since the look above; the unique
            // index made this insert wait for its commit, so the winner can be read now.
            guard let earlier = try await earlier(request, on: connection, logger: logger) else {
                throw StoreError.corrupt("event \(event.id) exists already")
            }
            return earlier
        }
        shared = decided
        if let supersession = request.supersedes {
            try await connection.execute("""
                UPDATE delivery SET status = \(unescaped: Stored.literal(.suppressed)), last_error = \(supersession.reason), next_attempt_at = NULL,
                    updated_at = \(Stored.millis(event.publishedAt))
                WHERE event_id = ANY(\(supersession.eventIds)) AND \(unescaped: DeliveryRow.isOpen)
                """, logger: logger)
        }
        let deliveries = request.deliveries.map { delivery in
            var delivery = delivery
            delivery.eventId = event.id
            delivery.attempts = 0
            return delivery
        }
        let handoff = request.handoff
        // A delivery the installation's policies suppressed after all is stored, not sent.
        let handed = (handoff?.deliveryIds ?? []).intersection(deliveries.filter { $0.status != .suppressed }.map(\.id))
        if !deliveries.isEmpty {
            try await connection.execute(
                try DeliveryRow.insert(deliveries, publisher: event.publisher, leased: handed, owner: handoff?.owner, leaseUntil: handoff?.leaseUntil),
                logger: logger
            )
        }
        var result = PublishResult(eventId: event.id, deliveries: deliveries.count, duplicate: false)
        let leased = deliveries.filter { handed.contains($0.id) }.map { delivery in
            var delivery = delivery
            delivery.status = .sending
            delivery.attempts = 1
            return delivery
        }
        if !leased.isEmpty {
            result.jobs = try await jobs(
                for: leased, events: [event.id: event], at: Stored.millis(event.publishedAt), sealer: sealer, on: connection, logger: logger
            )
        }
        return result
    }

    /// The earlier event of the same publisher with the request's external id or idempotency key.
    private static func earlier(_ request: PublishRequest, on connection: PostgresConnection, logger: Logger) async throws -> PublishResult? {
        let event = request.event
        var found: [PostgresRow] = []
        if let externalId = event.externalId {
            found = try await connection.rows(
                "SELECT id, delivery_count FROM event WHERE publisher = \(event.publisher) AND external_id = \(externalId)", logger: logger
            )
        }
        if found.isEmpty, let key = request.idempotencyKey {
            found = try await connection.rows(
                "SELECT id, delivery_count FROM event WHERE publisher = \(event.publisher) AND idempotency_key = \(key)", logger: logger
            )
        }
        guard let row = found.first else { return nil }
        let (id, count) = try row.decode((String, Int).self)
        return PublishResult(eventId: id, deliveries: count, duplicate: true)
    }

    public func events(publishedSince date: Date) async throws -> [Event] {
        try await rows("""
            SELECT \(unescaped: EventRow.columns) FROM event WHERE id >= \(Identifier.lowerBound("evt", at: date)) ORDER BY id
            """).map { try EventRow($0).event }
    }

    public func event(id: String) async throws -> Event? {
        try await rows("SELECT \(unescaped: EventRow.columns) FROM event WHERE id = \(id)").first.map { try EventRow($0).event }
    }

    public func event(publisher: String, idempotencyKey: String) async throws -> Event? {
        try await rows("""
            SELECT \(unescaped: EventRow.columns) FROM event WHERE publisher = \(publisher) AND idempotency_key = \(idempotencyKey)
            """).first.map { try EventRow($0).event }
    }

    public func chain(of original: String) async throws -> [Event] {
        try await rows("""
            SELECT \(unescaped: EventRow.columns) FROM event WHERE id = \(original) OR original_id = \(original) ORDER BY id
            """).map { try EventRow($0).event }
    }

    public func recentEvents(visibleTo partner: String?, before: String?, limit: Int) async throws -> [Event] {
        let limit = max(1, min(limit, 1000))
        let query: PostgresQuery = """
            SELECT \(unescaped: EventRow.columns) FROM event
            WHERE (\(partner)::text IS NULL OR publisher = \(partner) OR id IN (SELECT event_id FROM delivery WHERE partner = \(partner)))
                AND (\(before)::text IS NULL OR id < \(before))
            ORDER BY id DESC LIMIT \(limit)
            """
        return try await rows(query).map { try EventRow($0).event }
    }
}
