import Foundation

/// Forgetting personal data past its age.
public protocol RetentionStore: Sendable {
    /// Removes the personal data (targets, titles, bodies, data, answers) of events published
    /// before `cutoff` that `PurgeEligibility` lets go, and of subscriptions deleted before it, and
    /// writes `audit(counts)` in the same transaction when anything was removed. Counts, states and
    /// the audit trail stay.
    func purge(before cutoff: Date, at now: Date, audit: @escaping @Sendable (PurgeCounts) -> AuditRecord) async throws -> PurgeCounts
}

/// What one purge removed.
public struct PurgeCounts: Sendable, Equatable {
    public var events: Int
    public var deliveries: Int
    public var subscriptions: Int
    /// Why the engine could not move the removed texts out of its log after the purge (a reader held
    /// SQLite's WAL, say): the purge is committed, but the texts may remain there for a while.
    public var checkpointFailure: String?

    public init(events: Int, deliveries: Int, subscriptions: Int, checkpointFailure: String? = nil) {
        self.events = events
        self.deliveries = deliveries
        self.subscriptions = subscriptions
        self.checkpointFailure = checkpointFailure
    }

    public var isEmpty: Bool { events == 0 && deliveries == 0 && subscriptions == 0 }
}
