import Foundation
import GRDB
import SikoModel

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so every commit is
/// synced to disk before it is answered (a 202 survives a power cut; `NORMAL` would not sync the
/// WAL on commit). Publishing and completing go through group commit, so many requests share one
/// transaction and one sync.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    let sealer: any SecretSealing
    private let publisher: GroupCommit<PublishRequest, PublishResult>
    private let completer: GroupCommit<AttemptResult, Void>

    /// `sealer` seals every secret before it is written and opens it when read.
    public init(path: String, sealer: any SecretSealing) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set on the one writer connection after the pool is open: opening a pool sets NORMAL itself,
        // after `prepareDatabase` has run, which would quietly undo a setting made there.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try SQLiteSchema.migrator.migrate(pool)
        self.pool = pool
        self.sealer = sealer
        publisher = GroupCommit(maxBatch: 512) { batch in await Self.flushPublishes(batch, pool: pool) }
        completer = GroupCommit(maxBatch: 1024) { batch in await Self.flushCompletions(batch, pool: pool) }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        let now = SQLiteRows.millis(Date())
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at", arguments: [now])
        }
    }

    // MARK: API keys

    public func insertKey(_ key: StoredKey, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_key (id, partner, hash, scopes, created_at, expires_at, revoked_at, signing_secret)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id, key.partner, key.hash, key.scopes.map(\.rawValue).sorted().joined(separator: " "),
                    SQLiteRows.millis(key.createdAt), SQLiteRows.millis(key.expiresAt), SQLiteRows.millis(key.revokedAt),
                    key.signingSecret.map(sealer.seal),
                ]
            )
            try Self.appendAudit([audit], db: db)
        }
    }

    public func key(hash: String) async throws -> StoredKey? {
        let key = try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_key WHERE hash = ?"), arguments: [hash]).map(SQLiteRows.key)
        }
        return try key.map(opened)
    }

    /// The key with its signing secret unsealed (views never show it).
    private func opened(_ key: StoredKey) throws -> StoredKey {
        var key = key
        key.signingSecret = try key.signingSecret.map(sealer.unseal)
        return key
    }

    public func keys(partner: String?) async throws -> [StoredKey] {
        let keys = try await pool.read { db in
            if let partner {
                return try Row.fetchAll(db, sql: "SELECT * FROM api_key WHERE partner = ? ORDER BY created_at DESC, id", arguments: [partner])
                    .map(SQLiteRows.key)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at DESC, id").map(SQLiteRows.key)
        }
        return try keys.map(opened)
    }

    public func revokeKey(id: String, at date: Date, audit: @Sendable (StoredKey) -> AuditRecord) async throws -> StoredKey? {
        let key = try await pool.write { db in
            try db.execute(sql: "UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [SQLiteRows.millis(date), id])
            let key = try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id]).map(SQLiteRows.key)
            if let key { try Self.appendAudit([audit(key)], db: db) }
            return key
        }
        return try key.map(opened)
    }

    public func touchKey(id: String, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_key SET last_used_at = ? WHERE id = ?", arguments: [SQLiteRows.millis(date), id])
        }
    }

    // MARK: Subscriptions

    static func insert(_ subscription: Subscription, sealedSecret secret: String?, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO subscription (id, partner, name, areas, topics, min_urgency, channel, target, language,
                    secret, enabled, disabled_reason, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                subscription.id, subscription.partner, subscription.name, SQLiteRows.list(subscription.areas),
                SQLiteRows.list(subscription.topics), subscription.minUrgency.rawValue, subscription.channel.rawValue,
                subscription.target, subscription.language.rawValue, secret, subscription.enabled,
                subscription.disabledReason, SQLiteRows.millis(subscription.createdAt), SQLiteRows.millis(subscription.updatedAt),
            ]
        )
    }

    public func updateSubscription(
        _ new: Subscription, from old: Subscription, review: @Sendable ([OpenDelivery]) -> [DeliveryRevision], audit: AuditRecord
    ) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE subscription SET name = ?, areas = ?, topics = ?, min_urgency = ?, channel = ?, target = ?,
                        language = ?, enabled = ?, disabled_reason = ?, updated_at = ?
                    WHERE id = ? AND deleted_at IS NULL AND name = ? AND areas = ? AND topics = ? AND min_urgency = ? AND target = ?
                        AND language = ? AND enabled = ? AND disabled_reason IS ?
                    """,
                arguments: [
                    new.name, SQLiteRows.list(new.areas), SQLiteRows.list(new.topics), new.minUrgency.rawValue, new.channel.rawValue,
                    new.target, new.language.rawValue, new.enabled, new.disabledReason, SQLiteRows.millis(new.updatedAt), new.id,
                    old.name, SQLiteRows.list(old.areas), SQLiteRows.list(old.topics), old.minUrgency.rawValue, old.target,
                    old.language.rawValue, old.enabled, old.disabledReason,
                ]
            )
            guard db.changesCount == 1 else {
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM subscription WHERE id = ? AND deleted_at IS NULL", arguments: [new.id]) ?? false
                if exists { return false }
                throw StoreError.notFound("subscription \(new.id)")
            }
            try Self.appendAudit([audit], db: db)
            let open = try Row.fetchAll(
                db, sql: "SELECT * FROM delivery WHERE subscription_id = ? AND status IN ('pending', 'failed')", arguments: [new.id]
            ).map(SQLiteRows.delivery)
            guard !open.isEmpty else { return true }
            let events = try Self.fetchByID(db, table: "event", ids: Set(open.map(\.eventId))).mapValues(SQLiteRows.event)
            let revisions = review(open.compactMap { delivery in events[delivery.eventId].map { OpenDelivery(delivery: delivery, event: $0) } })
            try Self.apply(revisions, at: SQLiteRows.millis(new.updatedAt), db: db)
            return true
        }
    }

    private static func apply(_ revisions: [DeliveryRevision], at millis: Int64, db: Database) throws {
        let suppress = try db.cachedStatement(sql: """
            UPDATE delivery SET status = 'suppressed', last_error = ?, next_attempt_at = NULL, updated_at = ?
            WHERE id = ? AND status IN ('pending', 'failed')
            """)
        let retarget = try db.cachedStatement(sql: """
            UPDATE delivery SET target = ?, content = ?, rule = ?, updated_at = ? WHERE id = ? AND status IN ('pending', 'failed')
            """)
        for revision in revisions {
            switch revision {
            case .suppress(let id, let reason): try suppress.execute(arguments: [reason, millis, id])
            case .retarget(let id, let target, let content, let rule): try retarget.execute(arguments: [target, content.rawValue, rule?.rawValue, millis, id])
            }
        }
    }

    public func deleteSubscription(id: String, at date: Date, audit: AuditRecord) async throws {
        let now = SQLiteRows.millis(date)
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE subscription SET deleted_at = ?, enabled = 0, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                arguments: [now, now, id]
            )
            guard db.changesCount == 1 else { throw StoreError.notFound("subscription \(id)") }
            try Self.suppressOpenDeliveries(of: id, reason: "subscription deleted", at: now, db: db)
            try Self.appendAudit([audit], db: db)
        }
    }

    public func subscription(id: String) async throws -> Subscription? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE id = ? AND deleted_at IS NULL", arguments: [id])
                .map(SQLiteRows.subscription)
        }
    }

    public func subscriptions(partner: String?) async throws -> [Subscription] {
        try await pool.read { db in
            if let partner {
                return try Row.fetchAll(db, sql: "SELECT * FROM subscription WHERE partner = ? AND deleted_at IS NULL ORDER BY id", arguments: [partner])
                    .map(SQLiteRows.subscription)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM subscription WHERE deleted_at IS NULL ORDER BY id").map(SQLiteRows.subscription)
        }
    }

    public func activeSubscriptions() async throws -> [Subscription] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM subscription WHERE enabled = 1 AND deleted_at IS NULL").map(SQLiteRows.subscription)
        }
    }

    // MARK: Events

    public func publish(_ request: PublishRequest) async throws -> PublishResult {
        try await publisher.submit(request)
    }

    /// Writes a batch in one transaction. Should the batch fail as a whole, each request is written
    /// on its own, so one bad request cannot take the others down with it.
    private static func flushPublishes(_ batch: [PublishRequest], pool: DatabasePool) async -> [Result<PublishResult, any Error>] {
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

    private static func publish(_ request: PublishRequest, db: Database) throws -> PublishResult {
        let event = request.event
        if let externalId = event.externalId,
           let row = try Row.fetchOne(
               db.cachedStatement(sql: "SELECT id, delivery_count FROM event WHERE publisher = ? AND external_id = ?"),
               arguments: [event.publisher, externalId]
           ) {
            return PublishResult(eventId: row["id"], deliveries: row["delivery_count"], duplicate: true)
        }
        if let key = request.idempotencyKey,
           let row = try Row.fetchOne(
               db.cachedStatement(sql: "SELECT id, delivery_count FROM event WHERE publisher = ? AND idempotency_key = ?"),
               arguments: [event.publisher, key]
           ) {
            return PublishResult(eventId: row["id"], deliveries: row["delivery_count"], duplicate: true)
        }
        let data = try event.data.map { String(decoding: try SQLiteRows.jsonEncoder.encode($0), as: UTF8.self) }
        try db.cachedStatement(sql: """
            INSERT INTO event (id, publisher, external_id, idempotency_key, topic, urgency, areas, title, body,
                classification, published_at, expires_at, data, delivery_count, exercise)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.id, event.publisher, event.externalId, request.idempotencyKey, event.topic, event.urgency.rawValue,
                SQLiteRows.list(event.areas), event.title, event.body, event.classification.rawValue,
                SQLiteRows.millis(event.publishedAt), SQLiteRows.millis(event.expiresAt), data, request.deliveries.count,
                event.exercise,
            ])
        let insert = try db.cachedStatement(sql: """
            INSERT INTO delivery (id, event_id, subscription_id, partner, publisher, channel, target, status, attempts,
                last_error, next_attempt_at, content, rule, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
            """)
        for delivery in request.deliveries {
            try insert.execute(arguments: [
                delivery.id, event.id, delivery.subscriptionId, delivery.partner, event.publisher, delivery.channel.rawValue,
                delivery.target, delivery.status.rawValue, delivery.lastError, SQLiteRows.millis(delivery.nextAttemptAt),
                delivery.content.rawValue, delivery.rule?.rawValue,
                SQLiteRows.millis(delivery.createdAt), SQLiteRows.millis(delivery.updatedAt),
            ])
        }
        return PublishResult(eventId: event.id, deliveries: request.deliveries.count, duplicate: false)
    }

    public func events(publishedSince date: Date) async throws -> [Event] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event WHERE id >= ? ORDER BY id", arguments: [Identifier.lowerBound("evt", at: date)])
                .map(SQLiteRows.event)
        }
    }

    public func sends(channel: ChannelKind, since date: Date) async throws -> [(target: String, at: Date)] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT target, created_at FROM delivery WHERE id >= ? AND channel = ? AND status != 'suppressed'",
                arguments: [Identifier.lowerBound("dlv", at: date), channel.rawValue]
            ).map { ($0["target"] as String, SQLiteRows.date($0["created_at"] as Int64)) }
        }
    }

    public func event(id: String) async throws -> Event? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id]).map(SQLiteRows.event)
        }
    }

    public func deliveryCounts(eventID: String) async throws -> [DeliveryStatus: Int] {
        try await pool.read { db in
            var counts: [DeliveryStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM delivery WHERE event_id = ? GROUP BY status", arguments: [eventID]) {
                if let status = DeliveryStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    public func deliveries(eventID: String) async throws -> [Delivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM delivery WHERE event_id = ? ORDER BY id", arguments: [eventID]).map(SQLiteRows.delivery)
        }
    }

    // MARK: Deliveries

    public func delivery(id: String) async throws -> Delivery? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [id]).map(SQLiteRows.delivery)
        }
    }

    public func attempts(deliveryID: String) async throws -> [Attempt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE delivery_id = ? ORDER BY number", arguments: [deliveryID])
                .map(SQLiteRows.attempt)
        }
    }

    public func deliveries(matching query: DeliveryQuery) async throws -> [Delivery] {
        var (conditions, arguments) = Self.conditions(query)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [query.pageLimit]
        let sql = "SELECT * FROM delivery \(filter) ORDER BY id DESC LIMIT ?"
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(SQLiteRows.delivery)
        }
    }

    private static func conditions(_ query: DeliveryQuery) -> ([String], StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let status = query.status { conditions.append("status = ?"); arguments += [status.rawValue] }
        if let channel = query.channel { conditions.append("channel = ?"); arguments += [channel.rawValue] }
        if let eventId = query.eventId { conditions.append("event_id = ?"); arguments += [eventId] }
        if let subscriptionId = query.subscriptionId { conditions.append("subscription_id = ?"); arguments += [subscriptionId] }
        if let partner = query.visibleTo { conditions.append("(partner = ? OR publisher = ?)"); arguments += [partner, partner] }
        if let after = query.after { conditions.append("id < ?"); arguments += [after] }
        return (conditions, arguments)
    }

    public func requeue(matching query: DeliveryQuery, at date: Date, audit: @Sendable (Int) -> AuditRecord) async throws -> Int {
        let now = SQLiteRows.millis(date)
        var (conditions, arguments) = Self.conditions(query)
        conditions.append("status IN ('dead', 'failed')")
        conditions.append("subscription_id IN (SELECT id FROM subscription WHERE enabled = 1 AND deleted_at IS NULL)")
        arguments = [now, now] + arguments + [query.retryLimit]
        let sql = """
            UPDATE delivery SET status = 'pending', next_attempt_at = ?, updated_at = ?
            WHERE id IN (SELECT id FROM delivery WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?)
            """
        return try await pool.write { [arguments] db in
            try db.execute(sql: sql, arguments: arguments)
            let count = db.changesCount
            if count > 0 { try Self.appendAudit([audit(count)], db: db) }
            return count
        }
    }

    public func requeue(deliveryID: String, at date: Date, audit: AuditRecord) async throws -> Delivery? {
        let now = SQLiteRows.millis(date)
        return try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE delivery SET status = 'pending', next_attempt_at = ?, updated_at = ?
                    WHERE id = ? AND status IN ('dead', 'failed')
                        AND EXISTS (SELECT 1 FROM subscription s WHERE s.id = delivery.subscription_id AND s.enabled = 1 AND s.deleted_at IS NULL)
                    """,
                arguments: [now, now, deliveryID]
            )
            if db.changesCount == 1 { try Self.appendAudit([audit], db: db) }
            return try Row.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [deliveryID]).map(SQLiteRows.delivery)
        }
    }

    // MARK: Dispatching

    public func claim(_ request: ClaimRequest) async throws -> [DeliveryJob] {
        let now = SQLiteRows.millis(request.now)
        let lease = SQLiteRows.millis(request.leaseUntil)
        let excluded = String(decoding: try JSONEncoder().encode(request.excludingTargets), as: UTF8.self)
        let limit = request.limit
        return try await pool.write { db in
            var claimed = try Row.fetchAll(
                db.cachedStatement(sql: """
                    UPDATE delivery SET status = 'sending', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
                    WHERE id IN (
                        SELECT id FROM (
                            SELECT id, due FROM (
                                SELECT id, next_attempt_at AS due, ROW_NUMBER() OVER (PARTITION BY target ORDER BY next_attempt_at) AS n FROM (
                                    SELECT id, target, next_attempt_at FROM delivery
                                    WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? AND channel = ?
                                        AND target NOT IN (SELECT value FROM json_each(?))
                                    ORDER BY next_attempt_at LIMIT ?
                                )
                            ) WHERE n <= ?
                            UNION ALL
                            SELECT id, due FROM (
                                SELECT id, lease_expires_at AS due FROM delivery
                                WHERE status = 'sending' AND lease_expires_at <= ? AND channel = ? AND target NOT IN (SELECT value FROM json_each(?))
                                ORDER BY lease_expires_at LIMIT ?
                            )
                        ) ORDER BY due LIMIT ?
                    )
                    RETURNING *
                    """),
                // The window numbers rows by target, so the union is put back in due order before
                // the limit: otherwise a claim under its limit took targets in name order, not the oldest.
                arguments: [
                    request.owner, lease, now, now, request.channel.rawValue, excluded, limit * 4, request.perTarget,
                    now, request.channel.rawValue, excluded, limit, limit,
                ]
            ).map(SQLiteRows.delivery)
            guard !claimed.isEmpty else { return [] }
            let subscriptions = try Self.fetchByID(db, table: "subscription", ids: Set(claimed.map(\.subscriptionId)))
            // Whatever path left one open, nothing is sent for a deleted or disabled subscription.
            var inactive: [DeliveryRevision] = []
            claimed.removeAll { delivery in
                let row = subscriptions[delivery.subscriptionId]
                let deleted = row.map { ($0["deleted_at"] as Int64?) != nil } ?? true
                guard deleted || (row?["enabled"] as Bool?) == false else { return false }
                inactive.append(.suppress(
                    deliveryId: delivery.id,
                    reason: deleted ? "subscription deleted" : "subscription disabled" + ((row?["disabled_reason"] as String?).map { ": " + $0 } ?? "")
                ))
                return true
            }
            if !inactive.isEmpty { try Self.suppressClaimed(inactive, at: now, db: db) }
            let events = try Self.fetchByID(db, table: "event", ids: Set(claimed.map(\.eventId))).mapValues(SQLiteRows.event)
            let sealer = self.sealer
            // Once per subscription in the batch, not per delivery: a fan-out claims many of one.
            let secrets = subscriptions.compactMapValues { row in (row["secret"] as String?).flatMap { try? sealer.unseal($0) } }
            return claimed.compactMap { delivery -> DeliveryJob? in
                guard let event = events[delivery.eventId] else { return nil }
                let subscription = subscriptions[delivery.subscriptionId]
                return DeliveryJob(
                    delivery: delivery, event: event, secret: secrets[delivery.subscriptionId],
                    language: (subscription?["language"] as String?).flatMap(Language.init(rawValue:)) ?? .de
                )
            }
        }
    }

    /// Claimed but never sent: the claim does not count as an attempt.
    private static func suppressClaimed(_ revisions: [DeliveryRevision], at millis: Int64, db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE delivery SET status = 'suppressed', last_error = ?, next_attempt_at = NULL, attempts = attempts - 1,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
            WHERE id = ? AND status = 'sending'
            """)
        for case .suppress(let id, let reason) in revisions { try statement.execute(arguments: [reason, millis, id]) }
    }

    private static func fetchByID(_ db: Database, table: String, ids: Set<String>) throws -> [String: Row] {
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE id IN (\(placeholders))", arguments: StatementArguments(Array(ids)))
        return Dictionary(rows.map { ($0["id"] as String, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func complete(_ results: [AttemptResult]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for result in results { group.addTask { try await self.completer.submit(result) } }
            try await group.waitForAll()
        }
    }

    private static func flushCompletions(_ batch: [AttemptResult], pool: DatabasePool) async -> [Result<Void, any Error>] {
        do {
            try await pool.write { db in
                let update = try db.cachedStatement(sql: """
                    UPDATE delivery SET status = ?, next_attempt_at = ?, last_error = ?, rule = COALESCE(?, rule), lease_owner = NULL,
                        lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND status = 'sending'
                    """)
                let healthy = try db.cachedStatement(sql: "UPDATE subscription SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL")
                let failing = try db.cachedStatement(sql: "UPDATE subscription SET failing_since = ? WHERE id = ? AND failing_since IS NULL")
                let record = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO attempt (delivery_id, number, started_at, finished_at, status, response_code, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                for result in batch {
                    let attempt = result.attempt
                    let transition = result.transition
                    try update.execute(arguments: [
                        transition.status.rawValue, SQLiteRows.millis(transition.nextAttemptAt), transition.lastError,
                        transition.rule?.rawValue, SQLiteRows.millis(attempt.finishedAt), attempt.deliveryId, result.owner,
                    ])
                    try record.execute(arguments: [
                        attempt.deliveryId, attempt.number, SQLiteRows.millis(attempt.startedAt), SQLiteRows.millis(attempt.finishedAt),
                        attempt.status.rawValue, attempt.responseCode, attempt.error,
                    ])
                    switch transition.status {
                    case .delivered, .sent: try healthy.execute(arguments: [result.subscriptionId])
                    case .failed, .dead: try failing.execute(arguments: [SQLiteRows.millis(attempt.startedAt), result.subscriptionId])
                    default: break
                    }
                    if transition.disablesSubscription {
                        try db.execute(
                            sql: "UPDATE subscription SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?",
                            arguments: [transition.lastError, SQLiteRows.millis(attempt.finishedAt), result.subscriptionId]
                        )
                        try suppressOpenDeliveries(
                            of: result.subscriptionId, reason: "subscription disabled: " + (transition.lastError ?? "gone"),
                            at: SQLiteRows.millis(attempt.finishedAt), db: db
                        )
                        if let audit = result.audit { try appendAudit([audit], db: db) }
                    }
                }
            }
            return batch.map { _ in .success(()) }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    public func disableIfFailing(
        subscriptionID: String, since cutoff: Date, reason: String, at date: Date, audit: AuditRecord
    ) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE subscription SET enabled = 0, disabled_reason = ?, updated_at = ?
                    WHERE id = ? AND enabled = 1 AND failing_since IS NOT NULL AND failing_since <= ?
                    """,
                arguments: [reason, SQLiteRows.millis(date), subscriptionID, SQLiteRows.millis(cutoff)]
            )
            guard db.changesCount > 0 else { return false }
            try Self.suppressOpenDeliveries(of: subscriptionID, reason: "subscription disabled: " + reason, at: SQLiteRows.millis(date), db: db)
            try Self.appendAudit([audit], db: db)
            return true
        }
    }

    /// Nothing more goes to a disabled or deleted subscription: its open deliveries stop, on record.
    private static func suppressOpenDeliveries(of subscriptionID: String, reason: String, at millis: Int64, db: Database) throws {
        try db.execute(
            sql: """
                UPDATE delivery SET status = 'suppressed', last_error = ?, next_attempt_at = NULL, updated_at = ?
                WHERE subscription_id = ? AND status IN ('pending', 'failed')
                """,
            arguments: [reason, millis, subscriptionID]
        )
    }

    public func release(_ ids: [String], owner: String, until date: Date) async throws {
        guard !ids.isEmpty else { return }
        let until = SQLiteRows.millis(date)
        let list = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE delivery SET status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END, attempts = attempts - 1,
                        next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id IN (SELECT value FROM json_each(?)) AND status = 'sending' AND lease_owner = ?
                    """,
                arguments: [until, list, owner]
            )
        }
    }

    public func postpone(channel: ChannelKind, targets: [String], until date: Date) async throws -> Int {
        guard !targets.isEmpty else { return 0 }
        let until = SQLiteRows.millis(date)
        let list = String(decoding: try JSONEncoder().encode(targets), as: UTF8.self)
        return try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE delivery SET next_attempt_at = ?
                    WHERE status IN ('pending', 'failed') AND next_attempt_at < ? AND channel = ? AND target IN (SELECT value FROM json_each(?))
                    """,
                arguments: [until, until, channel.rawValue, list]
            )
            return db.changesCount
        }
    }

    public func releaseLeases(owner: String, at date: Date) async throws -> Int {
        let now = SQLiteRows.millis(date)
        return try await pool.write { db in
            // Never sent, so the claim does not count as an attempt.
            try db.execute(
                sql: """
                    UPDATE delivery SET status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END, attempts = attempts - 1,
                        next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE status = 'sending' AND lease_owner = ?
                    """,
                arguments: [now, now, owner]
            )
            return db.changesCount
        }
    }

    /// After a crash, deliveries may still be marked `sending` by the dead process. The embedded
    /// store has a single dispatcher (the data directory is locked), so every such lease is
    /// abandoned: each becomes due again at once, its interrupted attempt kept on record.
    public func recoverAbandonedLeases(at date: Date) async throws -> Int {
        let now = SQLiteRows.millis(date)
        return try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO attempt (delivery_id, number, started_at, finished_at, status, response_code, error)
                    SELECT id, attempts, updated_at, ?, 'failed', NULL, 'interrupted: the gateway stopped while sending'
                    FROM delivery WHERE status = 'sending'
                    """,
                arguments: [now]
            )
            try db.execute(
                sql: """
                    UPDATE delivery SET status = 'failed', last_error = 'interrupted: the gateway stopped while sending',
                        next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE status = 'sending'
                    """,
                arguments: [now, now]
            )
            return db.changesCount
        }
    }

    public func queueStats(now date: Date) async throws -> QueueStats {
        let now = SQLiteRows.millis(date)
        return try await pool.read { db in
            let open = "FROM delivery WHERE status IN ('pending', 'failed')"
            return QueueStats(
                due: try Int.fetchOne(db, sql: "SELECT COUNT(*) \(open) AND next_attempt_at <= ?", arguments: [now]) ?? 0,
                scheduled: try Int.fetchOne(db, sql: "SELECT COUNT(*) \(open) AND next_attempt_at > ?", arguments: [now]) ?? 0,
                sending: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE status = 'sending'") ?? 0,
                oldestDue: try Self.earliestDue(db).flatMap { $0 <= now ? SQLiteRows.date($0) : nil }
            )
        }
    }

    /// The earliest `next_attempt_at` of any open delivery: one index lookup per channel, which is
    /// how `delivery_due` is led.
    private static func earliestDue(_ db: Database) throws -> Int64? {
        try ChannelKind.allCases.compactMap { channel in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM delivery WHERE status IN ('pending', 'failed') AND channel = ?"),
                arguments: [channel.rawValue]
            )
        }.min()
    }

    public func nextDueTime() async throws -> Date? {
        try await pool.read { db in
            let due = try Self.earliestDue(db)
            let lease = try Int64.fetchOne(db, sql: "SELECT MIN(lease_expires_at) FROM delivery WHERE status = 'sending'")
            return [due, lease].compactMap { $0 }.min().map(SQLiteRows.date)
        }
    }

    // MARK: Delivery reports

    public func recordReceipt(_ receipt: Receipt) async throws -> Delivery? {
        let now = SQLiteRows.millis(receipt.receivedAt)
        return try await pool.write { db in
            guard let delivery = try Row.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [receipt.deliveryId])
                .map(SQLiteRows.delivery) else { return nil }
            // A report that comes after retention purged its event keeps its code, not the SMSC's answer.
            let purged = try Bool.fetchOne(db, sql: "SELECT purged_at IS NOT NULL FROM event WHERE id = ?", arguments: [delivery.eventId]) ?? false
            let detail = purged ? nil : receipt.detail
            try db.execute(
                sql: "INSERT OR IGNORE INTO receipt (delivery_id, code, detail, received_at) VALUES (?, ?, ?, ?)",
                arguments: [receipt.deliveryId, receipt.report.rawValue, detail, now]
            )
            guard let next = receipt.report.transition(from: delivery.status) else { return delivery }
            let reason: String? = next == .dead
                ? "SMS report: \(receipt.report.meaning)" + (detail.map { " (\($0))" } ?? "") : nil
            try db.execute(
                sql: """
                    UPDATE delivery SET status = ?, last_error = COALESCE(?, last_error), next_attempt_at = NULL,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [next.rawValue, reason, now, receipt.deliveryId]
            )
            return try Row.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [receipt.deliveryId]).map(SQLiteRows.delivery)
        }
    }

    public func receipts(deliveryID: String) async throws -> [Receipt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM receipt WHERE delivery_id = ? ORDER BY received_at, code", arguments: [deliveryID]).compactMap { row in
                SMSReceipt(rawValue: row["code"]).map {
                    Receipt(deliveryId: row["delivery_id"], report: $0, detail: row["detail"], receivedAt: SQLiteRows.date(row["received_at"] as Int64))
                }
            }
        }
    }

    // MARK: Secrets

    public func sealedSecret(named name: String, create: @Sendable () -> String) async throws -> String {
        try await pool.write { db in
            if let value = try String.fetchOne(db, sql: "SELECT CAST(value AS TEXT) FROM secret WHERE name = ?", arguments: [name]) {
                return value
            }
            let value = create()
            try db.execute(sql: "INSERT INTO secret (name, value) VALUES (?, ?)", arguments: [name, value])
            return value
        }
    }

    /// A database from before sealing holds its secrets in the clear: each is sealed once.
    public func sealCleartextSecrets(with seal: @Sendable (String) -> String) async throws {
        try await pool.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, secret FROM subscription WHERE secret IS NOT NULL AND secret NOT LIKE 'sealed:%'") {
                try db.execute(sql: "UPDATE subscription SET secret = ? WHERE id = ?", arguments: [seal(row["secret"] as String), row["id"] as String])
            }
            for row in try Row.fetchAll(db, sql: "SELECT name, value FROM secret WHERE CAST(value AS TEXT) NOT LIKE 'sealed:%'") {
                let value = String(decoding: row["value"] as Data, as: UTF8.self)
                try db.execute(sql: "UPDATE secret SET value = ? WHERE name = ?", arguments: [seal(value), row["name"] as String])
            }
        }
    }
}
