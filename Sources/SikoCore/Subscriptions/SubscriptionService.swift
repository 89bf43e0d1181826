import Foundation
import SikoChannels
import SikoModel

/// A partner's subscriptions: each change is validated, written with its audit entry in one
/// transaction, and put in the live matching index. A partner sees and changes only its own.
public struct SubscriptionService: Sendable {
    let store: any SubscriptionStore
    let engine: RuleEngine
    /// The validator under the channels in force (they change on reload).
    let validator: @Sendable () -> SubscriptionValidator
    /// The outbound guard under the channels in force.
    let outbound: @Sendable () -> OutboundGuard
    let maxPerPartner: Int
    let clock: any WallClock

    public init(
        store: any SubscriptionStore, engine: RuleEngine, validator: @escaping @Sendable () -> SubscriptionValidator,
        outbound: @escaping @Sendable () -> OutboundGuard, maxPerPartner: Int, clock: any WallClock
    ) {
        self.store = store
        self.engine = engine
        self.validator = validator
        self.outbound = outbound
        self.maxPerPartner = maxPerPartner
        self.clock = clock
    }

    /// A new subscription and, for a webhook, its signing secret: the only time it is shown.
    public struct Created: Sendable {
        public var subscription: Subscription
        public var secret: String?
    }

    public func create(_ submission: SubscriptionSubmission, by identity: Identity) async throws -> Created {
        try identity.require(.subscriptionsManage)
        let now = clock.now()
        let subscription: Subscription
        switch validator().create(submission, partner: identity.partner, id: Identifier.make("sub", at: now), now: now) {
        case .success(let value): subscription = value
        case .failure(let failure): throw ServiceError.invalid(failure)
        }
        try await refuseIfPrivate(subscription)
        let secret = subscription.channel == .webhook ? WebhookSigner.makeSecret() : nil
        let audit = identity.auditRecord(.subscriptionCreate, object: subscription.id, detail: subscription.channel.rawValue, at: now)
        guard try await store.insertSubscription(subscription, secret: secret, maxPerPartner: maxPerPartner, audit: audit) else {
            let count = try await store.subscriptionCount(partner: identity.partner)
            throw ServiceError.limit(
                type: "subscription-limit", title: "Too many subscriptions",
                detail: "\(identity.partner) has \(count) subscriptions and may have at most \(maxPerPartner) (--max-subscriptions \(maxPerPartner)); delete one first"
            )
        }
        engine.upsert(subscription)
        return Created(subscription: subscription, secret: secret)
    }

    /// The caller's subscriptions; an admin's are everyone's. Reading needs `subscriptions:read`
    /// (which `subscriptions:manage` implies), so a viewer reads without changing.
    public func list(by identity: Identity) async throws -> [Subscription] {
        try identity.require(.subscriptionsRead)
        return try await store.subscriptions(partner: identity.visibleTo)
    }

    public func subscription(id: String, by identity: Identity) async throws -> Subscription {
        try identity.require(.subscriptionsRead)
        guard let subscription = try await store.subscription(id: id), identity.owns(subscription.partner) else {
            throw ServiceError.notFound("subscription \(id)")
        }
        return subscription
    }

    /// Applies the change to the subscription as it is now: built on a stale read it would undo a
    /// change made meanwhile (the gateway disabling it), so a lost compare-and-set reads again.
    /// Open deliveries are decided again in the same transaction (`OpenDeliveryReview`).
    public func update(id: String, with submission: SubscriptionSubmission, by identity: Identity) async throws -> Subscription {
        try identity.require(.subscriptionsManage)
        for _ in 0..<5 {
            let existing = try await subscription(id: id, by: identity)
            if let channel = submission.channel, channel != existing.channel.rawValue {
                // The signing secret belongs to the webhook; a new channel is a new subscription.
                throw ServiceError.invalid(
                    "channel", "cannot be changed; create a new subscription",
                    de: "kann nicht geändert werden; bitte ein neues Abonnement anlegen"
                )
            }
            let now = clock.now()
            let updated: Subscription
            switch validator().update(existing, with: submission, now: now) {
            case .success(let value): updated = value
            case .failure(let failure): throw ServiceError.invalid(failure)
            }
            if updated.target != existing.target { try await refuseIfPrivate(updated) }
            let rules = engine.rules
            let review = OpenDeliveryReview(reference: rules.reference, classification: rules.policies.classification)
            let audit = identity.auditRecord(.subscriptionUpdate, object: updated.id, detail: updated.enabled ? "enabled" : "disabled", at: now)
            let written: Bool
            do {
                written = try await store.updateSubscription(updated, from: existing, review: { open in
                    review.review(open, from: existing, to: updated)
                }, audit: audit)
            } catch StoreError.notFound {
                throw ServiceError.notFound("subscription \(existing.id)")
            }
            guard written else { continue }
            engine.upsert(updated)
            return updated
        }
        throw ServiceError.conflict(
            type: "conflict", title: "Changed meanwhile",
            detail: "the subscription kept changing while this change was applied; read it again and retry"
        )
    }

    /// Its open deliveries are suppressed; deliveries already made stay on record.
    public func delete(id: String, by identity: Identity) async throws {
        try identity.require(.subscriptionsManage)
        let subscription = try await subscription(id: id, by: identity)
        let now = clock.now()
        do {
            try await store.deleteSubscription(id: subscription.id, at: now, audit: identity.auditRecord(.subscriptionDelete, object: subscription.id, at: now))
        } catch StoreError.notFound {
            throw ServiceError.notFound("subscription \(id)")
        }
        engine.remove(id: subscription.id)
    }

    /// A webhook named by host name is resolved now, too: a name that points into a private network
    /// is refused at once rather than failing at every send. A name that does not resolve yet, or
    /// not within the guard's `dnsTimeout`, is accepted; the guard checks again before every connection.
    private func refuseIfPrivate(_ subscription: Subscription) async throws {
        guard subscription.channel == .webhook, let url = URLComponents(string: subscription.target), let host = url.host,
              IPAddress(host) == nil else { return }
        if case .refused(let reason) = await outbound().check(url) {
            throw ServiceError.invalid("target", reason.en + " (see allowPrivateTargets)", de: reason.de + " (siehe allowPrivateTargets)")
        }
    }
}
