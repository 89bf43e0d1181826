import Foundation
import SikoModel

/// Where everything durable lives. Written for an embedded engine (SQLite) and a shared one
/// (PostgreSQL) alike: claiming works by leases with an owner and an expiry, so several workers
/// (or several processes) can share the queue without sending a delivery twice at once.
public protocol Store: Sendable {
    /// Answers when the store can be read and written (readiness): it makes a tiny write, so a
    /// full disk or a read-only file shows here; a refused write throws what `StoreRefusal` reads.
    func ping() async throws

    // MARK: API keys
    func insertKey(_ key: StoredKey) async throws
    func key(hash: String) async throws -> StoredKey?
    /// A partner's keys, or everyone's when `partner` is nil, newest first; hashes included, never keys.
    func keys(partner: String?) async throws -> [StoredKey]
    /// Revokes a key (once; a second revocation keeps the first time). Nil when it does not exist.
    func revokeKey(id: String, at: Date) async throws -> StoredKey?
    func touchKey(id: String, at: Date) async throws

    // MARK: Subscriptions
    func insertSubscription(_ subscription: Subscription, secret: String?) async throws
    /// Inserts it unless its partner already has `maxPerPartner` subscriptions, counted in the same
    /// write transaction so that creates at once cannot pass the cap together. Answers whether it did.
    func insertSubscription(_ subscription: Subscription, secret: String?, maxPerPartner: Int) async throws -> Bool
    /// A partner's live subscriptions: disabled ones count (they can be enabled again), deleted ones do not.
    func subscriptionCount(partner: String) async throws -> Int
    /// Writes `new` if the subscription is still as `old` was read (compare-and-set, so a change
    /// built on a stale read cannot undo one made meanwhile, such as the gateway disabling it), and
    /// in the same transaction applies `review`'s decisions to its open deliveries. False when it
    /// changed meanwhile (read it again and retry); `StoreError.notFound` when it is gone.
    func updateSubscription(
        _ new: Subscription, from old: Subscription, review: @Sendable ([OpenDelivery]) -> [DeliveryRevision]
    ) async throws -> Bool
    /// Removes it from view; its open deliveries are suppressed. Deliveries already made stay on record.
    func deleteSubscription(id: String, at: Date) async throws
    func subscription(id: String) async throws -> Subscription?
    /// A partner's subscriptions, or everyone's when `partner` is nil.
    func subscriptions(partner: String?) async throws -> [Subscription]
    /// Enabled subscriptions, to build the matching index at start.
    func activeSubscriptions() async throws -> [Subscription]

    // MARK: Events
    /// Stores an event and all its planned deliveries in one transaction, or finds the earlier
    /// event with the same external id or idempotency key from the same publisher.
    func publish(_ request: PublishRequest) async throws -> PublishResult
    func event(id: String) async throws -> Event?
    /// Events published at or after `date`, oldest first (to seed the duplicate window at start).
    func events(publishedSince date: Date) async throws -> [Event]
    /// Deliveries planned on `channel` at or after `date` and not suppressed (to seed flood limits at start).
    func sends(channel: ChannelKind, since date: Date) async throws -> [(target: String, at: Date)]
    func deliveryCounts(eventID: String) async throws -> [DeliveryStatus: Int]
    func deliveries(eventID: String) async throws -> [Delivery]

    // MARK: Deliveries
    func delivery(id: String) async throws -> Delivery?
    func attempts(deliveryID: String) async throws -> [Attempt]
    /// A page of deliveries, newest first.
    func deliveries(matching query: DeliveryQuery) async throws -> [Delivery]
    /// Puts a `dead` or `failed` delivery back to `pending`, due now. Nil when it does not exist;
    /// unchanged when it is in another state or its subscription is deleted or disabled.
    func requeue(deliveryID: String, at: Date) async throws -> Delivery?
    /// Puts every `dead` or `failed` delivery matching `query` (at most `query.limit`, up to 10,000)
    /// whose subscription is still active back to `pending`, due now; answers how many.
    func requeue(matching query: DeliveryQuery, at: Date) async throws -> Int

    // MARK: Dispatching
    /// Takes up to `limit` due deliveries of one channel (and those whose lease expired) under a
    /// lease, oldest first, at most `perTarget` per target and none for the excluded targets.
    /// Each claim counts as an attempt, so a delivery that crashes its worker cannot loop for ever.
    /// A claimed delivery whose subscription is deleted or disabled is suppressed instead of returned.
    func claim(_ request: ClaimRequest) async throws -> [DeliveryJob]
    /// Disables a subscription whose deliveries have failed without a success since `cutoff` or
    /// earlier, and suppresses its open deliveries; answers whether it did.
    func disableIfFailing(subscriptionID: String, since cutoff: Date, reason: String, at: Date) async throws -> Bool
    /// Gives claimed deliveries back unsent (a breaker or cap said wait): the claim does not count
    /// as an attempt, and they are due again at `until`.
    func release(_ ids: [String], owner: String, until: Date) async throws
    /// Moves the due time of every waiting delivery to these targets to `until` (an open breaker),
    /// so claims do not walk over them. Answers how many.
    func postpone(channel: ChannelKind, targets: [String], until: Date) async throws -> Int
    /// Records attempts and their new states; a result whose lease was lost to another owner is kept
    /// as an attempt but does not change the delivery.
    func complete(_ results: [AttemptResult]) async throws
    /// Gives back every delivery `owner` holds (graceful shutdown), due at once.
    func releaseLeases(owner: String, at: Date) async throws -> Int
    /// How full the queue is at `now`, for the metrics.
    func queueStats(now: Date) async throws -> QueueStats
    /// The earliest time a delivery becomes due, for an idle dispatcher to sleep until.
    func nextDueTime() async throws -> Date?

    // MARK: Delivery reports
    /// Keeps a gateway's report (once per delivery and kind) and moves the delivery forward where
    /// the report says so. Nil when the delivery does not exist.
    func recordReceipt(_ receipt: Receipt) async throws -> Delivery?
    func receipts(deliveryID: String) async throws -> [Receipt]

    // MARK: Secrets
    /// A secret the gateway keeps itself (the SMS callback key), made by `create` on first use.
    func secret(named name: String, create: @Sendable () -> [UInt8]) async throws -> [UInt8]

    // MARK: Audit
    /// Appends to the hash-chained, append-only audit trail.
    func appendAudit(_ records: [AuditRecord]) async throws
    /// Entries after `sequence` in order, at most `limit`; only one partner's when `partner` is set.
    func auditEntries(after sequence: Int64, limit: Int, partner: String?) async throws -> [AuditEntry]

    // MARK: Retention
    /// Removes the personal data (targets, titles, bodies, data, answers) of events published
    /// before `cutoff` whose deliveries are all final, and of subscriptions deleted before it.
    /// Counts, states and the audit trail stay.
    func purge(before cutoff: Date, at now: Date) async throws -> PurgeCounts

    // MARK: Signed requests
    /// Remembers that `keyID` sent the signed request `requestID` (its `webhook-id`) signed at
    /// `signedAt`; false when it was remembered already: a replay. Atomic, so two copies sent at
    /// once cannot both be new. Forgets requests signed before `forgetBefore`, whose timestamps
    /// no longer pass the check anyway.
    func rememberSignedRequest(keyID: String, requestID: String, signedAt: Date, forgetBefore: Date) async throws -> Bool
}

/// What one purge removed.
public struct PurgeCounts: Sendable, Equatable {
    public var events: Int
    public var deliveries: Int
    public var subscriptions: Int
    /// Why the WAL checkpoint after the purge failed (a reader held the WAL, say): the purge is
    /// committed, but the removed texts may still sit in the `-wal` file until a later checkpoint.
    public var checkpointFailure: String?

    public init(events: Int, deliveries: Int, subscriptions: Int, checkpointFailure: String? = nil) {
        self.events = events
        self.deliveries = deliveries
        self.subscriptions = subscriptions
        self.checkpointFailure = checkpointFailure
    }

    public var isEmpty: Bool { events == 0 && deliveries == 0 && subscriptions == 0 }
}

/// An event with its planned deliveries, to be stored as one.
public struct PublishRequest: Sendable {
    public var event: Event
    public var idempotencyKey: String?
    public var deliveries: [Delivery]
    /// Written in the same transaction as the event, unless the event turns out a replay.
    public var audit: AuditRecord?

    public init(event: Event, idempotencyKey: String?, deliveries: [Delivery], audit: AuditRecord? = nil) {
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.deliveries = deliveries
        self.audit = audit
    }
}

public struct PublishResult: Sendable, Equatable {
    public var eventId: String
    public var deliveries: Int
    public var duplicate: Bool

    public init(eventId: String, deliveries: Int, duplicate: Bool) {
        self.eventId = eventId
        self.deliveries = deliveries
        self.duplicate = duplicate
    }
}

/// One finished attempt and what it does to its delivery.
public struct AttemptResult: Sendable {
    public var owner: String
    public var subscriptionId: String
    public var attempt: Attempt
    public var transition: DeliveryTransition

    public init(owner: String, subscriptionId: String, attempt: Attempt, transition: DeliveryTransition) {
        self.owner = owner
        self.subscriptionId = subscriptionId
        self.attempt = attempt
        self.transition = transition
    }
}

/// A filter for listing deliveries; `visibleTo` limits to what one partner may see.
public struct DeliveryQuery: Sendable {
    public var status: DeliveryStatus?
    public var channel: ChannelKind?
    public var eventId: String?
    public var subscriptionId: String?
    /// Deliveries to this partner's subscriptions or of events it published.
    public var visibleTo: String?
    public var limit: Int
    /// The id of the last delivery on the previous page.
    public var after: String?

    public init(
        status: DeliveryStatus? = nil, channel: ChannelKind? = nil, eventId: String? = nil, subscriptionId: String? = nil,
        visibleTo: String? = nil, limit: Int = 100, after: String? = nil
    ) {
        self.status = status
        self.channel = channel
        self.eventId = eventId
        self.subscriptionId = subscriptionId
        self.visibleTo = visibleTo
        self.limit = limit
        self.after = after
    }
}

/// An API key as stored: never the key itself, only its hash.
public struct StoredKey: Sendable, Equatable {
    /// The visible prefix that names the key in logs and lists.
    public var id: String
    public var partner: String
    public var hash: String
    public var scopes: Set<Scope>
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// To the minute: the gateway writes it at most once a minute per key.
    public var lastUsedAt: Date?
    /// Set when requests with this key must be signed (Standard Webhooks); sealed at rest.
    public var signingSecret: String?

    public init(
        id: String, partner: String, hash: String, scopes: Set<Scope>, createdAt: Date, expiresAt: Date? = nil, revokedAt: Date? = nil,
        lastUsedAt: Date? = nil, signingSecret: String? = nil
    ) {
        self.signingSecret = signingSecret
        self.id = id
        self.partner = partner
        self.hash = hash
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// The queue at one moment: what is due and waiting for a worker, what waits for its time, what is
/// being sent, and since when the oldest due delivery has waited.
public struct QueueStats: Sendable, Equatable {
    public var due: Int
    public var scheduled: Int
    public var sending: Int
    public var oldestDue: Date?

    public init(due: Int, scheduled: Int, sending: Int, oldestDue: Date?) {
        self.due = due
        self.scheduled = scheduled
        self.sending = sending
        self.oldestDue = oldestDue
    }
}

/// What one claim asks for.
public struct ClaimRequest: Sendable {
    public var channel: ChannelKind
    public var limit: Int
    public var perTarget: Int
    /// Targets at their cap or behind an open breaker.
    public var excludingTargets: [String]
    public var owner: String
    public var now: Date
    public var leaseUntil: Date

    public init(channel: ChannelKind, limit: Int, perTarget: Int = .max, excludingTargets: [String] = [], owner: String, now: Date, leaseUntil: Date) {
        self.channel = channel
        self.limit = limit
        self.perTarget = perTarget
        self.excludingTargets = excludingTargets
        self.owner = owner
        self.now = now
        self.leaseUntil = leaseUntil
    }
}
