import CoreMetrics
import Foundation
import SikoCAP
import SikoDelivery
import SikoModel

/// The path of an event from a publisher to the outbox: validate, authorize (jurisdiction), match,
/// apply the policies, store the event, every planned delivery and the audit entry in one
/// transaction, wake the dispatcher. Also reading events back, as far as the caller may.
public struct PublishingService: Sendable {
    let engine: RuleEngine
    let events: any EventStore
    let deliveries: any DeliveryLog
    let audit: any AuditLog
    let planner: DeliveryPlanner
    let wake: WakeSignal
    /// Where planned deliveries with a free slot go at once; nil where no dispatcher runs.
    let handoff: (any HandoffReceiver)?
    let clock: any WallClock
    let accepted: Counter
    let decisions: PolicyMetrics
    /// Other gateways publish to the same store, so it checks the duplicate window and flood limits over all of them.
    let sharedStore: Bool
    /// Events as CAP alerts: the API's `Accept: application/cap+xml`, the Atom feed.
    let capWriter: CAPWriter

    init(
        engine: RuleEngine, events: any EventStore, deliveries: any DeliveryLog, audit: any AuditLog, planner: DeliveryPlanner = DeliveryPlanner(), wake: WakeSignal,
        handoff: (any HandoffReceiver)? = nil, clock: any WallClock, accepted: Counter, decisions: PolicyMetrics, sharedStore: Bool = false,
        capWriter: CAPWriter = CAPWriter(sender: "siko-gateway", links: Links(publicURL: Links.defaultPublicURL))
    ) {
        self.capWriter = capWriter
        self.sharedStore = sharedStore
        self.engine = engine
        self.events = events
        self.deliveries = deliveries
        self.audit = audit
        self.planner = planner
        self.wake = wake
        self.handoff = handoff
        self.clock = clock
        self.accepted = accepted
        self.decisions = decisions
    }

    /// The Geschäftsstelle's people publish through bulletins (four eyes); only a system's key with
    /// `events:publish-direct` publishes as it directly, and the audit names that on every use.
    public func publish(_ submission: EventSubmission, idempotencyKey: String?, by identity: Identity) async throws -> PublishResult {
        try identity.require(.eventsPublish)
        let direct = identity.partner == Identity.centralOffice
        if direct, !identity.has(.eventsPublishDirect) { throw ServiceError.fourEyesRequired }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 255 {
            throw ServiceError.invalid("Idempotency-Key", .length(upTo: 255))
        }
        return try await admitAndStore(submission, idempotencyKey: idempotencyKey, by: identity, note: direct ? "publish-direct" : nil)
    }

    /// An approved bulletin, as an event of the approver's partner (the Geschäftsstelle): the same
    /// validation, jurisdiction, matching and policies; `key` finds the event again when an approval
    /// is repeated after a crash. Four eyes were checked by the caller.
    func publishApproved(_ submission: EventSubmission, key: String, by identity: Identity, note: String) async throws -> PublishResult {
        var submission = submission
        submission.externalId = key
        return try await admitAndStore(submission, idempotencyKey: key, by: identity, note: note)
    }

    private func admitAndStore(_ submission: EventSubmission, idempotencyKey: String?, by identity: Identity, note: String?) async throws -> PublishResult {
        let now = clock.now()
        return try await matchAndStore(try engine.admit(submission, by: identity, now: now), idempotencyKey: idempotencyKey, by: identity, note: note, now: now)
    }

    /// A new event to whoever its match finds, under the policies.
    func matchAndStore(_ event: Event, idempotencyKey: String?, by identity: Identity, note: String?, now: Date) async throws -> PublishResult {
        let plan = engine.plan(event, now: now)
        let planned = planner.plan(event, for: plan.matches, decisions: plan.decisions, now: now)
        return try await store(Outgoing(
            event: event, deliveries: planned, idempotencyKey: idempotencyKey, action: .eventPublish, note: note,
            shared: sharedStore ? engine.sharedCheck(for: event) : nil, undo: { engine.forget(event, plan) }
        ), by: identity, now: now)
    }

    /// What publishing stores in one transaction, and how to take back what planning remembered.
    struct Outgoing {
        var event: Event
        var deliveries: [Delivery]
        var idempotencyKey: String?
        var action: AuditAction
        var note: String?
        var shared: SharedPolicyCheck?
        var supersedes: Supersession?
        var undo: @Sendable () -> Void = {}
    }

    func store(_ outgoing: Outgoing, by identity: Identity, now: Date) async throws -> PublishResult {
        let event = outgoing.event
        let planned = outgoing.deliveries
        let reservation = handoff?.reserve(planned, now: now)
        let reserved = reservation.map { reservation in planned.filter { reservation.deliveryIds.contains($0.id) } } ?? []
        let result: PublishResult
        do {
            let detail = ["\(event.topic), \(event.urgency.rawValue), \(planned.count) deliveries", outgoing.note].compactMap { $0 }.joined(separator: ", ")
            let audit = identity.auditRecord(outgoing.action, object: event.id, detail: detail, at: now)
            result = try await events.publish(PublishRequest(
                event: event, idempotencyKey: outgoing.idempotencyKey, deliveries: planned, audit: audit, handoff: reservation,
                shared: outgoing.shared, supersedes: outgoing.supersedes
            ))
        } catch {
            handoff?.accept([], reserved: reserved)
            outgoing.undo()
            throw error
        }
        handoff?.accept(result.jobs, reserved: reserved)
        if result.duplicate {
            outgoing.undo()
        } else {
            accepted.increment()
            decisions.record(planned, now: now)
            let handed = reservation?.deliveryIds ?? []
            if planned.contains(where: { $0.status == .pending && !handed.contains($0.id) }) { wake.signal() }
        }
        return result
    }

    /// An event with its deliveries counted by state.
    public struct Summary: Sendable {
        public var event: Event
        public var counts: [DeliveryStatus: Int]
    }

    /// The publisher, an admin, or a partner the event was delivered to may read it.
    public func event(id: String, by identity: Identity) async throws -> Summary {
        let event = try await visible(id: id, by: identity)
        return Summary(event: event, counts: try await deliveries.deliveryCounts(eventID: event.id))
    }

    /// A page of an event's deliveries: recipients see their own; the publisher sees all, with
    /// others' targets masked.
    public func deliveries(of id: String, page: DeliveryQuery, by identity: Identity) async throws -> [Delivery] {
        let event = try await visible(id: id, by: identity)
        if let error = page.pageLimitError { throw ServiceError.invalid(ValidationFailure(errors: [error])) }
        var query = page
        query.eventId = event.id
        query.visibleTo = identity.visibleTo
        return try await deliveries.deliveries(matching: query).map { Visibility.delivery($0, for: identity) }
    }

    /// An event as a person reads it: VS-NfD content only to people cleared for it, over a channel
    /// that may carry it; each such reading is in the audit trail.
    public struct Reading: Sendable {
        public enum Content: Sendable, Equatable {
            case shown
            case withheld(Withheld)
        }

        public enum Withheld: Sendable, Equatable {
            case notCleared, insecureChannel
        }

        /// Title and metadata always; body and data only when `content` is `.shown`.
        public var event: Event
        public var content: Content
    }

    public func read(id: String, secureChannel: Bool, by identity: Identity) async throws -> Reading {
        var event = try await visible(id: id, by: identity)
        guard event.classification == .restricted else { return Reading(event: event, content: .shown) }
        let withheld: Reading.Withheld? = if !secureChannel { .insecureChannel } else if identity.person.map(\.cleared) == false { .notCleared } else { nil }
        if let withheld {
            event.body = nil
            event.data = nil
            return Reading(event: event, content: .withheld(withheld))
        }
        try await audit.appendAudit([identity.auditRecord(.restrictedRead, object: event.id, at: clock.now())])
        return Reading(event: event, content: .shown)
    }

    /// The newest events the caller may see (published by its partner or delivered to it), newest first.
    public func recent(before: String? = nil, limit: Int = 50, by identity: Identity) async throws -> [Event] {
        try identity.require(.deliveriesRead)
        return try await events.recentEvents(visibleTo: identity.visibleTo, before: before, limit: limit)
    }

    /// An event's deliveries counted by partner, channel and state: all of them for the publisher,
    /// a recipient's own for a recipient.
    public func board(of id: String, by identity: Identity) async throws -> DeliveryBoard {
        let event = try await visible(id: id, by: identity)
        var all = try await deliveries.deliveries(eventID: event.id)
        if !identity.owns(event.publisher) { all = all.filter { identity.owns($0.partner) } }
        return DeliveryBoard(all)
    }

    private func visible(id: String, by identity: Identity) async throws -> Event {
        try identity.require(.deliveriesRead)
        guard let event = try await events.event(id: id) else { throw ServiceError.notFound("event \(id)") }
        if identity.owns(event.publisher) { return event }
        let own = try await deliveries.deliveries(matching: DeliveryQuery(eventId: id, visibleTo: identity.partner, limit: 1))
        guard !own.isEmpty else { throw ServiceError.notFound("event \(id)") }
        return event
    }
}
