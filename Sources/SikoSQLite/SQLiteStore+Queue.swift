import Foundation
import GRDB
import SikoModel

/// The queue's statements name their columns through `DeliveryRecord.Columns`; `D` keeps them short.
private typealias D = DeliveryRecord.Columns
private typealias S = SubscriptionRecord.Columns

extension SQLiteStore {
    /// The due deliveries a claim chooses from, oldest first, through the partial index
    /// `delivery_due` (the open-state condition is a literal so it serves).
    private static let dueSQL = """
        SELECT \(D.id.name), \(D.target.name), \(D.nextAttemptAt.name) FROM delivery
        WHERE \(DeliveryRecord.isOpen) AND \(D.nextAttemptAt.name) <= ? AND \(D.channel.name) = ?
            AND \(D.target.name) NOT IN (SELECT value FROM json_each(?))
        ORDER BY \(D.nextAttemptAt.name) LIMIT ?
        """
    /// Deliveries whose lease expired: their worker is gone.
    private static let expiredSQL = """
        SELECT \(D.id.name), \(D.target.name), \(D.leaseExpiresAt.name) FROM delivery
        WHERE \(DeliveryRecord.isSending) AND \(D.leaseExpiresAt.name) <= ? AND \(D.channel.name) = ?
            AND \(D.target.name) NOT IN (SELECT value FROM json_each(?))
        ORDER BY \(D.leaseExpiresAt.name) LIMIT ?
        """
    /// `RETURNING` names the record's columns, so rows decode by position.
    private static let leaseSQL = """
        UPDATE delivery SET \(D.status.name) = \(StoredValue.literal(.sending)), \(D.leaseOwner.name) = ?, \(D.leaseExpiresAt.name) = ?,
            \(D.attempts.name) = \(D.attempts.name) + 1, \(D.updatedAt.name) = ?
        WHERE \(D.id.name) IN (SELECT value FROM json_each(?))
        RETURNING \(DeliveryRecord.sql.selection)
        """

    /// Reads the candidates, lets `ClaimSelection` pick (oldest first, each target to its free
    /// slots), and leases the pick, in one transaction.
    public func claim(_ request: ClaimRequest) async throws -> [DeliveryJob] {
        let now = StoredValue.millis(request.now)
        let lease = StoredValue.millis(request.leaseUntil)
        let excluded = try StoredValue.jsonArray(request.excludingTargets)
        let channel = request.channel.rawValue
        let sealer = self.sealer
        return try await pool.write { db in
            func candidates(_ sql: String, limit: Int) throws -> [ClaimSelection.Candidate] {
                try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [now, channel, excluded, limit]).map {
                    ClaimSelection.Candidate(id: $0[0], target: $0[1], due: $0[2])
                }
            }
            let picked = ClaimSelection.pick(
                due: try candidates(Self.dueSQL, limit: request.limit * 4), expired: try candidates(Self.expiredSQL, limit: request.limit),
                limit: request.limit, perTarget: request.perTarget, freeSlots: request.freeSlots
            )
            guard !picked.isEmpty else { return [] }
            let order = Dictionary(uniqueKeysWithValues: picked.enumerated().map { ($1, $0) })
            let claimed = try DeliveryRecord.fetchAll(
                db.cachedStatement(sql: Self.leaseSQL),
                arguments: [request.owner, lease, now, try StoredValue.jsonArray(picked)]
            ).map(\.delivery).sorted { order[$0.id] ?? 0 < order[$1.id] ?? 0 }
            return try Self.jobs(for: claimed, events: nil, at: now, sealer: sealer, db: db)
        }
    }

    /// What the sends of leased deliveries need; those whose subscription went away or was paused
    /// since they were planned are stopped instead. `events` by id when the caller has them at hand.
    static func jobs(
        for leased: [Delivery], events known: [String: Event]?, at now: Int64, sealer: any SecretSealing, db: Database
    ) throws -> [DeliveryJob] {
        guard !leased.isEmpty else { return [] }
        let subscriptions = try Self.byID(SubscriptionRecord.fetchAll(db, ids: Set(leased.map(\.subscriptionId))), \.subscription.id)
        let review = ClaimReview(claimed: leased, subscriptions: subscriptions.mapValues(\.state))
        if !review.stop.isEmpty { try Self.stopClaimed(review.stop, at: now, db: db) }
        let events = try known ?? Self.byID(EventRecord.fetchAll(db, ids: Set(review.send.map(\.eventId))), \.event.id).mapValues(\.event)
        // Once per subscription in the batch, not per delivery: a fan-out claims many of one.
        let secrets = subscriptions.compactMapValues { record in record.sealedSecret.flatMap { try? sealer.unseal($0) } }
        return review.send.compactMap { delivery -> DeliveryJob? in
            guard let event = events[delivery.eventId], let subscription = subscriptions[delivery.subscriptionId] else { return nil }
            return DeliveryJob(
                delivery: delivery, event: event, secret: secrets[delivery.subscriptionId], language: subscription.subscription.language,
                format: subscription.subscription.format
            )
        }
    }

    private static func byID<Record>(_ records: [Record], _ id: KeyPath<Record, String>) -> [String: Record] {
        Dictionary(records.map { ($0[keyPath: id], $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static let stopClaimedSQL = """
        UPDATE delivery SET \(D.status.name) = \(StoredValue.literal(.suppressed)), \(D.lastError.name) = ?, \(D.nextAttemptAt.name) = NULL,
            \(D.attempts.name) = ?, \(D.leaseOwner.name) = NULL, \(D.leaseExpiresAt.name) = NULL, \(D.updatedAt.name) = ?
        WHERE \(D.id.name) = ? AND \(DeliveryRecord.isSending)
        """

    private static func stopClaimed(_ stops: [ClaimReview.Stop], at millis: Int64, db: Database) throws {
        let statement = try db.cachedStatement(sql: stopClaimedSQL)
        for stop in stops { try statement.execute(arguments: [stop.reason, stop.attempts, millis, stop.deliveryId]) }
    }

    public func complete(_ results: [AttemptResult]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for result in results { group.addTask { try await self.completer.submit(result) } }
            try await group.waitForAll()
        }
    }

    /// A result whose lease went to another owner meanwhile changes nothing but its attempt's record.
    private static let completeSQL = """
        UPDATE delivery SET \(D.status.name) = ?, \(D.nextAttemptAt.name) = ?, \(D.lastError.name) = ?, \(D.rule.name) = COALESCE(?, \(D.rule.name)),
            \(D.leaseOwner.name) = NULL, \(D.leaseExpiresAt.name) = NULL, \(D.updatedAt.name) = ?
        WHERE \(D.id.name) = ? AND \(D.leaseOwner.name) = ? AND \(DeliveryRecord.isSending)
        """
    private static let healthySQL =
        "UPDATE subscription SET \(S.failingSince.name) = NULL WHERE \(S.id.name) = ? AND \(S.failingSince.name) IS NOT NULL"
    private static let failingSQL =
        "UPDATE subscription SET \(S.failingSince.name) = ? WHERE \(S.id.name) = ? AND \(S.failingSince.name) IS NULL"

    static func flushCompletions(_ batch: [AttemptResult], pool: DatabasePool) async -> [Result<Void, any Error>] {
        do {
            try await pool.write { db in
                let update = try db.cachedStatement(sql: completeSQL)
                let healthy = try db.cachedStatement(sql: healthySQL)
                let failing = try db.cachedStatement(sql: failingSQL)
                let record = try db.cachedStatement(sql: AttemptRecord.replace)
                for result in batch {
                    let attempt = result.attempt
                    let transition = result.transition
                    let finished = StoredValue.millis(attempt.finishedAt)
                    try update.execute(arguments: [
                        transition.status.rawValue, StoredValue.millis(transition.nextAttemptAt), transition.lastError,
                        transition.rule?.rawValue, finished, attempt.deliveryId, result.owner,
                    ])
                    try record.execute(arguments: StatementArguments(AttemptRecord(attempt).storedValues))
                    switch transition.subscriptionHealth {
                    case .healthy: try healthy.execute(arguments: [result.subscriptionId])
                    case .failing: try failing.execute(arguments: [StoredValue.millis(attempt.startedAt), result.subscriptionId])
                    case nil: break
                    }
                    if let disabling = transition.disabling {
                        try disable(result.subscriptionId, disabling, at: finished, db: db)
                        if let audit = result.audit { try appendAudit([audit], db: db) }
                    }
                }
            }
            return batch.map { _ in .success(()) }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    public func release(_ ids: [String], owner: String, until date: Date) async throws {
        guard !ids.isEmpty else { return }
        let until = StoredValue.millis(date)
        try await pool.write { db in
            _ = try Self.giveBack(DeliveryRecord.filter(ids.contains(D.id)), owner: owner, dueAt: until, updatedAt: nil, db: db)
        }
    }

    private static let renewSQL = """
        UPDATE delivery SET \(D.leaseExpiresAt.name) = ?
        WHERE \(DeliveryRecord.isSending) AND \(D.leaseOwner.name) = ? AND \(D.id.name) IN (SELECT value FROM json_each(?))
        """

    public func renewLeases(_ ids: [String], owner: String, until date: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let until = StoredValue.millis(date)
        let list = try StoredValue.jsonArray(ids)
        return try await pool.write { db in
            try db.execute(sql: Self.renewSQL, arguments: [until, owner, list])
            return db.changesCount
        }
    }

    public func releaseLeases(owner: String, at date: Date) async throws -> Int {
        let now = StoredValue.millis(date)
        return try await pool.write { db in
            try Self.giveBack(DeliveryRecord.all(), owner: owner, dueAt: now, updatedAt: now, db: db)
        }
    }

    private static let giveBackSQL = """
        UPDATE delivery SET \(D.status.name) = ?, \(D.attempts.name) = ?, \(D.nextAttemptAt.name) = ?,
            \(D.leaseOwner.name) = NULL, \(D.leaseExpiresAt.name) = NULL, \(D.updatedAt.name) = COALESCE(?, \(D.updatedAt.name))
        WHERE \(D.id.name) = ?
        """

    /// Never sent, so the claim does not count as an attempt (`Lease.giveBack`). Not a hot path:
    /// the rule is applied in Swift to the leases read in the same transaction.
    private static func giveBack(
        _ deliveries: QueryInterfaceRequest<DeliveryRecord>, owner: String, dueAt: Int64, updatedAt: Int64?, db: Database
    ) throws -> Int {
        let held = try Row.fetchAll(db, deliveries.select(D.id, D.attempts).filter(sql: DeliveryRecord.isSending).filter(D.leaseOwner == owner))
        let update = try db.cachedStatement(sql: giveBackSQL)
        for row in held {
            let given = Lease.giveBack(attempts: row[1])
            try update.execute(arguments: [given.status.rawValue, given.attempts, dueAt, updatedAt, row[0] as String])
        }
        return held.count
    }

    private static let postponeSQL = """
        UPDATE delivery SET \(D.nextAttemptAt.name) = ?
        WHERE \(DeliveryRecord.isOpen) AND \(D.nextAttemptAt.name) < ? AND \(D.channel.name) = ?
            AND \(D.target.name) IN (SELECT value FROM json_each(?))
        """

    public func postpone(channel: ChannelKind, targets: [String], until date: Date) async throws -> Int {
        guard !targets.isEmpty else { return 0 }
        let until = StoredValue.millis(date)
        let list = try StoredValue.jsonArray(targets)
        return try await pool.write { db in
            try db.execute(sql: Self.postponeSQL, arguments: [until, until, channel.rawValue, list])
            return db.changesCount
        }
    }

    private static let recordInterruptedSQL = """
        INSERT OR REPLACE INTO attempt (\(AttemptRecord.sql.selection))
        SELECT \(D.id.name), \(D.attempts.name), \(D.updatedAt.name), ?, ?, NULL, ? FROM delivery WHERE \(DeliveryRecord.isSending)
        """
    private static let recoverSQL = """
        UPDATE delivery SET \(D.status.name) = ?, \(D.lastError.name) = ?, \(D.nextAttemptAt.name) = ?,
            \(D.leaseOwner.name) = NULL, \(D.leaseExpiresAt.name) = NULL, \(D.updatedAt.name) = ?
        WHERE \(DeliveryRecord.isSending)
        """

    /// After a crash, deliveries may still be marked `sending` by the dead process. The embedded
    /// store has a single dispatcher (the data directory is locked), so every such lease is
    /// abandoned: each becomes due again at once, its interrupted attempt kept on record.
    public func recoverAbandonedLeases(at date: Date) async throws -> Int {
        let now = StoredValue.millis(date)
        let status = Lease.interruptedStatus.rawValue
        return try await pool.write { db in
            try db.execute(sql: Self.recordInterruptedSQL, arguments: [now, status, Lease.interruptedError])
            try db.execute(sql: Self.recoverSQL, arguments: [status, Lease.interruptedError, now, now])
            return db.changesCount
        }
    }

    public func queueStats(now date: Date) async throws -> QueueStats {
        let now = StoredValue.millis(date)
        return try await pool.read { db in
            let open = DeliveryRecord.filter(sql: DeliveryRecord.isOpen)
            return QueueStats(
                due: try open.filter(D.nextAttemptAt <= now).fetchCount(db),
                scheduled: try open.filter(D.nextAttemptAt > now).fetchCount(db),
                sending: try DeliveryRecord.filter(sql: DeliveryRecord.isSending).fetchCount(db),
                oldestDue: try Self.earliestDue(db).flatMap { $0 <= now ? StoredValue.date($0) : nil }
            )
        }
    }

    private static let earliestDueSQL =
        "SELECT MIN(\(D.nextAttemptAt.name)) FROM delivery WHERE \(DeliveryRecord.isOpen) AND \(D.channel.name) = ?"
    private static let earliestLeaseEndSQL = "SELECT MIN(\(D.leaseExpiresAt.name)) FROM delivery WHERE \(DeliveryRecord.isSending)"

    /// The earliest `next_attempt_at` of any open delivery: one index lookup per channel, which is
    /// how `delivery_due` is led.
    private static func earliestDue(_ db: Database) throws -> Int64? {
        try ChannelKind.allCases.compactMap { channel in
            try Int64.fetchOne(db.cachedStatement(sql: earliestDueSQL), arguments: [channel.rawValue])
        }.min()
    }

    public func nextDueTime() async throws -> Date? {
        try await pool.read { db in
            let due = try Self.earliestDue(db)
            let lease = try Int64.fetchOne(db, sql: Self.earliestLeaseEndSQL)
            return [due, lease].compactMap { $0 }.min().map(StoredValue.date)
        }
    }
}
