import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: DeliveryQueue {
    /// Reads the candidates under row locks that other gateways skip (`FOR UPDATE SKIP LOCKED`),
    /// lets `ClaimSelection` pick (oldest first, each target to its free slots), and leases the
    /// pick, in one transaction: two gateways claiming at once never get the same delivery.
    public func claim(_ request: ClaimRequest) async throws -> [DeliveryJob] {
        let now = Stored.millis(request.now)
        let lease = Stored.millis(request.leaseUntil)
        let channel = request.channel.rawValue
        let excluded = request.excludingTargets
        let sealer = self.sealer
        let logger = self.logger
        return try await transaction { connection in
            func candidates(_ rows: [PostgresRow]) throws -> [ClaimSelection.Candidate] {
                try rows.map { row in
                    let (id, target, due) = try row.decode((String, String, Int64).self)
                    return ClaimSelection.Candidate(id: id, target: target, due: due)
                }
            }
            let due = try await connection.rows("""
                SELECT id, target, next_attempt_at FROM delivery
                WHERE \(unescaped: DeliveryRow.isOpen) AND next_attempt_at <= \(now) AND channel = \(channel) AND NOT (target = ANY(\(excluded)))
                ORDER BY next_attempt_at LIMIT \(request.limit * 4) FOR UPDATE SKIP LOCKED
                """, logger: logger)
            let expired = try await connection.rows("""
                SELECT id, target, lease_expires_at FROM delivery
                WHERE \(unescaped: DeliveryRow.isSending) AND lease_expires_at <= \(now) AND channel = \(channel) AND NOT (target = ANY(\(excluded)))
                ORDER BY lease_expires_at LIMIT \(request.limit) FOR UPDATE SKIP LOCKED
                """, logger: logger)
            let picked = ClaimSelection.pick(
                due: try candidates(due), expired: try candidates(expired), limit: request.limit, perTarget: request.perTarget,
                freeSlots: request.freeSlots
            )
            guard !picked.isEmpty else { return [] }
            let order = Dictionary(uniqueKeysWithValues: picked.enumerated().map { ($1, $0) })
            let claimed = try await connection.rows("""
                UPDATE delivery SET status = \(unescaped: Stored.literal(.sending)), lease_owner = \(request.owner), lease_expires_at = \(lease),
                    attempts = attempts + 1, updated_at = \(now)
                WHERE id = ANY(\(picked))
                RETURNING \(unescaped: DeliveryRow.columns)
                """, logger: logger).map(DeliveryRow.decode).sorted { order[$0.id] ?? 0 < order[$1.id] ?? 0 }
            return try await Self.jobs(for: claimed, events: nil, at: now, sealer: sealer, on: connection, logger: logger)
        }
    }

    /// What the sends of leased deliveries need; those whose subscription went away or was paused
    /// since they were planned are stopped instead. `events` by id when the caller has them at hand.
    static func jobs(
        for leased: [Delivery], events known: [String: Event]?, at now: Int64, sealer: any SecretSealing, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [DeliveryJob] {
        guard !leased.isEmpty else { return [] }
        let subscriptionIds = Array(Set(leased.map(\.subscriptionId)))
        let subscriptions = try await connection.rows(
            "SELECT \(unescaped: SubscriptionRow.columns) FROM subscription WHERE id = ANY(\(subscriptionIds))", logger: logger
        ).map(SubscriptionRow.init).reduce(into: [String: SubscriptionRow]()) { $0[$1.subscription.id] = $1 }
        let review = ClaimReview(claimed: leased, subscriptions: subscriptions.mapValues(\.state))
        for stop in review.stop {
            try await connection.execute("""
                UPDATE delivery SET status = \(unescaped: Stored.literal(.suppressed)), last_error = \(stop.reason), next_attempt_at = NULL,
                    attempts = \(stop.attempts), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
                WHERE id = \(stop.deliveryId) AND \(unescaped: DeliveryRow.isSending)
                """, logger: logger)
        }
        var events = known ?? [:]
        if known == nil {
            let eventIds = Array(Set(review.send.map(\.eventId)))
            for row in try await connection.rows("SELECT \(unescaped: EventRow.columns) FROM event WHERE id = ANY(\(eventIds))", logger: logger) {
                let event = try EventRow(row).event
                events[event.id] = event
            }
        }
        // Once per subscription in the batch, not per delivery: a fan-out claims many of one.
        let secrets = subscriptions.compactMapValues { row in row.sealedSecret.flatMap { try? sealer.unseal($0) } }
        return review.send.compactMap { delivery -> DeliveryJob? in
            guard let event = events[delivery.eventId], let subscription = subscriptions[delivery.subscriptionId] else { return nil }
            return DeliveryJob(
                delivery: delivery, event: event, secret: secrets[delivery.subscriptionId], language: subscription.subscription.language,
                format: subscription.subscription.format
            )
        }
    }

    public func complete(_ results: [AttemptResult]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for result in results { group.addTask { try await self.completer.submit(result) } }
            try await group.waitForAll()
        }
    }

    /// One transaction per batch. Subscriptions are touched in the order of their ids, so two
    /// gateways completing at once take their row locks in one order and cannot deadlock.
    static func flushCompletions(_ batch: [AttemptResult], client: PostgresClient, logger: Logger) async -> [Result<Void, any Error>] {
        do {
            try await transaction(client, logger) { connection in
                try await connection.execute(try completeQuery(batch), logger: logger)
                try await connection.execute(try AttemptRow.upsert(batch.map(\.attempt)), logger: logger)
                for result in batch.sorted(by: { $0.subscriptionId < $1.subscriptionId }) {
                    let attempt = result.attempt
                    switch result.transition.subscriptionHealth {
                    case .healthy:
                        try await connection.execute(
                            "UPDATE subscription SET failing_since = NULL WHERE id = \(result.subscriptionId) AND failing_since IS NOT NULL", logger: logger
                        )
                    case .failing:
                        try await connection.execute("""
                            UPDATE subscription SET failing_since = \(Stored.millis(attempt.startedAt))
                            WHERE id = \(result.subscriptionId) AND failing_since IS NULL
                            """, logger: logger)
                    case nil: break
                    }
                    if let disabling = result.transition.disabling {
                        try await disable(result.subscriptionId, disabling, at: Stored.millis(attempt.finishedAt), on: connection, logger: logger)
                        if let audit = result.audit { try await appendAudit([audit], on: connection, logger: logger) }
                    }
                }
            }
            return batch.map { _ in .success(()) }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// The new states of a batch's deliveries in one statement; a result whose lease went to
    /// another owner meanwhile changes nothing but its attempt's record.
    private static func completeQuery(_ batch: [AttemptResult]) throws -> PostgresQuery {
        struct Row: Encodable {
            var id, owner, status: String
            var next_attempt_at: Int64?
            var last_error, rule: String?
            var updated_at: Int64
        }
        let rows = batch.map { result in
            Row(
                id: result.attempt.deliveryId, owner: result.owner, status: result.transition.status.rawValue,
                next_attempt_at: Stored.millis(result.transition.nextAttemptAt), last_error: result.transition.lastError,
                rule: result.transition.rule?.rawValue, updated_at: Stored.millis(result.attempt.finishedAt)
            )
        }
        return """
            UPDATE delivery AS d SET status = r.status, next_attempt_at = r.next_attempt_at, last_error = r.last_error,
                rule = COALESCE(r.rule, d.rule), lease_owner = NULL, lease_expires_at = NULL, updated_at = r.updated_at
            FROM json_to_recordset(\(try Stored.json(rows))::json) AS r(
                id text, owner text, status text, next_attempt_at bigint, last_error text, rule text, updated_at bigint
            )
            WHERE d.id = r.id AND d.lease_owner = r.owner AND d.\(unescaped: DeliveryRow.isSending)
            """
    }

    public func release(_ ids: [String], owner: String, until date: Date) async throws {
        guard !ids.isEmpty else { return }
        let until = Stored.millis(date)
        _ = try await transaction { connection in
            try await Self.giveBack("id = ANY(\(ids)) AND lease_owner = \(owner)", dueAt: until, updatedAt: nil, on: connection, logger: self.logger)
        }
    }

    public func renewLeases(_ ids: [String], owner: String, until date: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let until = Stored.millis(date)
        return try await transaction { connection in
            try await connection.execute("""
                UPDATE delivery SET lease_expires_at = \(until) WHERE \(unescaped: DeliveryRow.isSending) AND lease_owner = \(owner) AND id = ANY(\(ids))
                """, logger: self.logger)
        }
    }

    public func releaseLeases(owner: String, at date: Date) async throws -> Int {
        let now = Stored.millis(date)
        return try await transaction { connection in
            try await Self.giveBack("lease_owner = \(owner)", dueAt: now, updatedAt: now, on: connection, logger: self.logger)
        }
    }

    /// Never sent, so the claim does not count as an attempt (`Lease.giveBack`). Not a hot path:
    /// the rule is applied in Swift to the leases read (and locked) in the same transaction.
    private static func giveBack(
        _ condition: PostgresQuery, dueAt: Int64, updatedAt: Int64?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        var select = PostgresQuery(unsafeSQL: "SELECT id, attempts FROM delivery WHERE \(DeliveryRow.isSending) AND ", binds: condition.binds)
        select.sql += condition.sql + " FOR UPDATE"
        let held = try await connection.rows(select, logger: logger).map { try $0.decode((String, Int).self) }
        for (id, attempts) in held {
            let given = Lease.giveBack(attempts: attempts)
            try await connection.execute("""
                UPDATE delivery SET status = \(given.status.rawValue), attempts = \(given.attempts), next_attempt_at = \(dueAt),
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = COALESCE(\(updatedAt), updated_at)
                WHERE id = \(id)
                """, logger: logger)
        }
        return held.count
    }

    public func postpone(channel: ChannelKind, targets: [String], until date: Date) async throws -> Int {
        guard !targets.isEmpty else { return 0 }
        let until = Stored.millis(date)
        return try await transaction { connection in
            try await connection.execute("""
                UPDATE delivery SET next_attempt_at = \(until)
                WHERE \(unescaped: DeliveryRow.isOpen) AND next_attempt_at < \(until) AND channel = \(channel.rawValue) AND target = ANY(\(targets))
                """, logger: self.logger)
        }
    }

    /// After a crash: with several gateways on one database, a delivery marked `sending` may be
    /// another gateway's live send, so only leases that have expired are taken back (their owner
    /// would have renewed them), each due again at once with its interrupted attempt on record.
    public func recoverAbandonedLeases(at date: Date) async throws -> Int {
        let now = Stored.millis(date)
        let status = Lease.interruptedStatus.rawValue
        return try await transaction { connection in
            let abandoned = "\(DeliveryRow.isSending) AND lease_expires_at <= $1"
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO attempt (\(AttemptRow.columns))
                SELECT id, attempts, updated_at, $1, $2, NULL, $3 FROM delivery WHERE \(abandoned)
                ON CONFLICT (delivery_id, number) DO UPDATE SET started_at = excluded.started_at, finished_at = excluded.finished_at,
                    status = excluded.status, response_code = excluded.response_code, error = excluded.error
                """, binds: try Self.binds(now, status, Lease.interruptedError)), logger: self.logger)
            return try await connection.execute(PostgresQuery(unsafeSQL: """
                UPDATE delivery SET status = $2, last_error = $3, next_attempt_at = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
                WHERE \(abandoned)
                """, binds: try Self.binds(now, status, Lease.interruptedError)), logger: self.logger)
        }
    }

    private static func binds(_ now: Int64, _ status: String, _ error: String) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(now)
        binds.append(status)
        binds.append(error)
        return binds
    }

    public func queueStats(now date: Date) async throws -> QueueStats {
        let now = Stored.millis(date)
        let row = try await rows("""
            SELECT count(*) FILTER (WHERE \(unescaped: DeliveryRow.isOpen) AND next_attempt_at <= \(now)),
                count(*) FILTER (WHERE \(unescaped: DeliveryRow.isOpen) AND next_attempt_at > \(now)),
                count(*) FILTER (WHERE \(unescaped: DeliveryRow.isSending)),
                min(next_attempt_at) FILTER (WHERE \(unescaped: DeliveryRow.isOpen))
            FROM delivery WHERE status IN ('pending', 'failed', 'sending')
            """)[0]
        let (due, scheduled, sending, earliest) = try row.decode((Int, Int, Int, Int64?).self)
        return QueueStats(due: due, scheduled: scheduled, sending: sending, oldestDue: earliest.flatMap { $0 <= now ? Stored.date($0) : nil })
    }

    public func nextDueTime() async throws -> Date? {
        let row = try await rows("""
            SELECT (SELECT min(next_attempt_at) FROM delivery WHERE \(unescaped: DeliveryRow.isOpen)),
                (SELECT min(lease_expires_at) FROM delivery WHERE \(unescaped: DeliveryRow.isSending))
            """)[0]
        let (due, lease) = try row.decode((Int64?, Int64?).self)
        return [due, lease].compactMap { $0 }.min().map(Stored.date)
    }
}
