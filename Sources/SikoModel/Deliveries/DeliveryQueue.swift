import Foundation

/// The outbox the dispatcher works from. Written for an embedded engine (SQLite) and a shared one
/// (PostgreSQL) alike: claiming works by leases with an owner and an expiry, so several workers
/// (or several processes) can share the queue without sending a delivery twice at once.
public protocol DeliveryQueue: Sendable {
    /// Takes up to `limit` due deliveries of one channel (and those whose lease expired) under a
    /// lease, oldest first, at most `perTarget` per target and none for the excluded targets.
    /// Each claim counts as an attempt, so a delivery that crashes its worker cannot loop for ever.
    /// A claimed delivery whose subscription is deleted or disabled is suppressed instead of returned
    /// (`ClaimReview`).
    func claim(_ request: ClaimRequest) async throws -> [DeliveryJob]
    /// Gives claimed deliveries back unsent (a breaker or cap said wait): the claim does not count
    /// as an attempt (`Lease.giveBack`), and they are due again at `until`.
    func release(_ ids: [String], owner: String, until: Date) async throws
    /// Moves the due time of every waiting delivery to these targets to `until` (an open breaker),
    /// so claims do not walk over them. Answers how many.
    func postpone(channel: ChannelKind, targets: [String], until: Date) async throws -> Int
    /// Records attempts and their new states; a result whose lease was lost to another owner is kept
    /// as an attempt but does not change the delivery. A result that disables its subscription
    /// writes its audit entry in the same transaction.
    func complete(_ results: [AttemptResult]) async throws
    /// Moves the expiry of the leases `owner` holds on `ids` (its sends in flight) to `until`: a
    /// lease can then be short, so the leases of a gateway that died are taken over soon. A lease
    /// whose send ended unrecorded is not among them and expires. Answers how many.
    func renewLeases(_ ids: [String], owner: String, until: Date) async throws -> Int
    /// Gives back every delivery `owner` holds (graceful shutdown), due at once.
    func releaseLeases(owner: String, at: Date) async throws -> Int
    /// After a crash: every delivery still marked `sending` whose lease is abandoned becomes due
    /// again at once, its interrupted attempt kept on record. Answers how many.
    func recoverAbandonedLeases(at: Date) async throws -> Int
    /// How full the queue is at `now`, for the metrics.
    func queueStats(now: Date) async throws -> QueueStats
    /// The earliest time a delivery becomes due, for an idle dispatcher to sleep until.
    func nextDueTime() async throws -> Date?
}

/// One finished attempt and what it does to its delivery.
public struct AttemptResult: Sendable {
    public var owner: String
    public var subscriptionId: String
    public var attempt: Attempt
    public var transition: DeliveryTransition
    /// The entry for a transition that disables the subscription (410 Gone), written with it.
    public var audit: AuditRecord?

    public init(owner: String, subscriptionId: String, attempt: Attempt, transition: DeliveryTransition, audit: AuditRecord? = nil) {
        self.owner = owner
        self.subscriptionId = subscriptionId
        self.attempt = attempt
        self.transition = transition
        self.audit = audit
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
    /// The most any one target gets, unless `freeSlots` names it.
    public var perTarget: Int
    /// Targets at their cap or behind an open breaker.
    public var excludingTargets: [String]
    /// What targets with sends in flight, or with a cap of their own, may still get; so nothing is
    /// claimed that would have to be given back at once.
    public var freeSlots: [String: Int]
    public var owner: String
    public var now: Date
    public var leaseUntil: Date

    public init(
        channel: ChannelKind, limit: Int, perTarget: Int = .max, excludingTargets: [String] = [], freeSlots: [String: Int] = [:],
        owner: String, now: Date, leaseUntil: Date
    ) {
        self.channel = channel
        self.limit = limit
        self.perTarget = perTarget
        self.excludingTargets = excludingTargets
        self.freeSlots = freeSlots
        self.owner = owner
        self.now = now
        self.leaseUntil = leaseUntil
    }
}
