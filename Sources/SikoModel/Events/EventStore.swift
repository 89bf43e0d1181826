import Foundation

/// Events at rest, each stored with all its planned deliveries.
public protocol EventStore: Sendable {
    /// Stores an event, all its planned deliveries and its audit entry in one transaction, or finds
    /// the earlier event with the same external id or idempotency key from the same publisher.
    func publish(_ request: PublishRequest) async throws -> PublishResult
    func event(id: String) async throws -> Event?
    /// Events published at or after `date`, oldest first (to seed the duplicate window at start).
    func events(publishedSince date: Date) async throws -> [Event]
    /// The newest events first, before the event `before` when given: all of them when
    /// `visibleTo` is nil, else those the partner published or has deliveries of.
    func recentEvents(visibleTo partner: String?, before: String?, limit: Int) async throws -> [Event]
    /// The event the publisher stored under this idempotency key (a CAP alert's `sender,identifier`).
    func event(publisher: String, idempotencyKey: String) async throws -> Event?
    /// An original and every event that updates, cancels or answers it, oldest first.
    func chain(of original: String) async throws -> [Event]
}

/// The open deliveries of earlier events that a correction stops in the transaction that stores it:
/// a cancellation's, and an update's, which takes their place.
public struct Supersession: Sendable, Equatable {
    public var eventIds: [String]
    /// What the stopped deliveries show as their last error.
    public var reason: String

    public init(eventIds: [String], reason: String) {
        self.eventIds = eventIds
        self.reason = reason
    }
}

/// An event with its planned deliveries, to be stored as one.
public struct PublishRequest: Sendable {
    public var event: Event
    public var idempotencyKey: String?
    public var deliveries: [Delivery]
    /// Written in the same transaction as the event, unless the event turns out a replay.
    public var audit: AuditRecord?
    /// The deliveries to store leased to the dispatcher, ready to send.
    public var handoff: Handoff?
    /// What a shared store checks against every gateway's publishes before it stores the deliveries.
    public var shared: SharedPolicyCheck?
    public var supersedes: Supersession?

    public init(
        event: Event, idempotencyKey: String?, deliveries: [Delivery], audit: AuditRecord? = nil, handoff: Handoff? = nil, shared: SharedPolicyCheck? = nil,
        supersedes: Supersession? = nil
    ) {
        self.supersedes = supersedes
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.deliveries = deliveries
        self.audit = audit
        self.handoff = handoff
        self.shared = shared
    }
}

public struct PublishResult: Sendable, Equatable {
    public var eventId: String
    public var deliveries: Int
    public var duplicate: Bool
    /// The handed-off deliveries stored under their lease, with what their sends need; a delivery
    /// whose subscription went away meanwhile is stored stopped and is not among them.
    public var jobs: [DeliveryJob]

    public init(eventId: String, deliveries: Int, duplicate: Bool, jobs: [DeliveryJob] = []) {
        self.eventId = eventId
        self.deliveries = deliveries
        self.duplicate = duplicate
        self.jobs = jobs
    }
}
