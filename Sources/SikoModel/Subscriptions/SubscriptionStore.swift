import Foundation

/// Subscriptions at rest. Every change commits with its audit entry in one transaction.
public protocol SubscriptionStore: Sendable {
    /// Inserts it unless its partner already has `maxPerPartner` subscriptions, counted in the same
    /// write transaction so that creates at once cannot pass the cap together. Answers whether it did.
    /// `secret` (a webhook's signing secret) is sealed with the store's sealer before it is written.
    func insertSubscription(_ subscription: Subscription, secret: String?, maxPerPartner: Int, audit: AuditRecord) async throws -> Bool
    /// A partner's live subscriptions: disabled ones count (they can be enabled again), deleted ones do not.
    func subscriptionCount(partner: String) async throws -> Int
    /// Writes `new` if the subscription is still as `old` was read (compare-and-set, so a change
    /// built on a stale read cannot undo one made meanwhile, such as the gateway disabling it), and
    /// in the same transaction applies `review`'s decisions to its open deliveries. False when it
    /// changed meanwhile (read it again and retry); `StoreError.notFound` when it is gone.
    func updateSubscription(
        _ new: Subscription, from old: Subscription, review: @escaping @Sendable ([OpenDelivery]) -> [DeliveryRevision], audit: AuditRecord
    ) async throws -> Bool
    /// Removes it from view; its open deliveries are suppressed. Deliveries already made stay on record.
    func deleteSubscription(id: String, at: Date, audit: AuditRecord) async throws
    func subscription(id: String) async throws -> Subscription?
    /// A partner's subscriptions, or everyone's when `partner` is nil.
    func subscriptions(partner: String?) async throws -> [Subscription]
    /// Enabled subscriptions, to build the matching index at start.
    func activeSubscriptions() async throws -> [Subscription]
    /// Disables a subscription whose deliveries have failed without a success since `cutoff` or
    /// earlier, and suppresses its open deliveries; answers whether it did (then `audit` is written).
    func disableIfFailing(subscriptionID: String, since cutoff: Date, reason: String, at: Date, audit: AuditRecord) async throws -> Bool
}
