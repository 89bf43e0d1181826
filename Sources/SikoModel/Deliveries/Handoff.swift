import Foundation

/// Deliveries the dispatcher has free slots for as they are planned: the transaction that stores
/// them also leases them to it, so they go out without a claim of their own. A crash before the
/// send leaves an ordinary lease behind, which expires and is taken back like any other.
public struct Handoff: Sendable, Equatable {
    public var owner: String
    public var leaseUntil: Date
    public var deliveryIds: Set<String>

    public init(owner: String, leaseUntil: Date, deliveryIds: Set<String>) {
        self.owner = owner
        self.leaseUntil = leaseUntil
        self.deliveryIds = deliveryIds
    }
}
