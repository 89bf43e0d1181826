import Foundation
import Hummingbird
import SikoChannels
import SikoModel
import SikoStore

/// Subscriptions CRUD. A partner sees and changes only its own; another's answers 404.
struct SubscriptionRoutes {
    let gateway: Gateway

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("subscriptions") { request, context in try await create(request, context) }
        group.get("subscriptions") { _, context in try await list(context) }
        group.get("subscriptions/:id") { _, context in try await show(context) }
        group.patch("subscriptions/:id") { request, context in try await update(request, context) }
        group.delete("subscriptions/:id") { _, context in try await remove(context) }
    }

    private func create(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .subscriptionsManage)
        let submission = try await JSONBody.decode(SubscriptionSubmission.self, from: request, context: context)
        let now = gateway.clock.now()
        let subscription: Subscription
        switch gateway.subscriptionValidator.create(submission, partner: identity.partner, id: Identifier.make("sub", at: now), now: now) {
        case .success(let value): subscription = value
        case .failure(let failure): throw Problem.validation(failure)
        }
        try await refuseIfPrivate(subscription)
        let secret = subscription.channel == .webhook ? WebhookSigner.makeSecret() : nil
        guard try await gateway.store.insertSubscription(subscription, secret: secret, maxPerPartner: gateway.maxSubscriptions) else {
            throw try await capReached(partner: identity.partner)
        }
        gateway.engine.upsert(subscription)
        try await gateway.audit.record(identity, .subscriptionCreate, object: subscription.id, detail: subscription.channel.rawValue)
        var response = try JSONBody.response(SubscriptionView(subscription, secret: secret), status: .created)
        response.headers[.location] = "/v1/subscriptions/\(subscription.id)"
        return response
    }

    private func capReached(partner: String) async throws -> Problem {
        let count = try await gateway.store.subscriptionCount(partner: partner)
        let cap = gateway.maxSubscriptions
        return Problem(
            status: .unprocessableContent, type: "subscription-limit", title: "Too many subscriptions",
            detail: "\(partner) has \(count) subscriptions and may have at most \(cap) (--max-subscriptions \(cap)); delete one first"
        )
    }

    /// A webhook named by host name is resolved now, too: a name that points into a private network
    /// is refused at once rather than failing at every send. A name that does not resolve yet, or
    /// not within `dnsTimeout`, is accepted; the guard checks again before every connection.
    private func refuseIfPrivate(_ subscription: Subscription) async throws {
        guard subscription.channel == .webhook, let url = URLComponents(string: subscription.target), let host = url.host,
              IPAddress(host) == nil else { return }
        let settings = gateway.channelSettings
        let outbound = OutboundGuard(policy: settings.outboundPolicy, dnsTimeout: settings.dnsTimeout)
        if case .refused(let reason) = await outbound.check(url) {
            throw Problem.validation(.init(errors: [.init("target", reason + " (see allowPrivateTargets)")]))
        }
    }

    private func list(_ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .subscriptionsManage)
        let subscriptions = try await gateway.store.subscriptions(partner: identity.isAdmin ? nil : identity.partner)
        return try JSONBody.response(SubscriptionList(subscriptions: subscriptions.map { SubscriptionView($0) }))
    }

    private func owned(_ context: SikoRequestContext) async throws -> (Subscription, Identity) {
        let identity = try context.caller(with: .subscriptionsManage)
        let id = try context.parameters.require("id")
        guard let subscription = try await gateway.store.subscription(id: id), identity.owns(subscription.partner) else {
            throw Problem.notFound("subscription \(id)")
        }
        return (subscription, identity)
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        let (subscription, _) = try await owned(context)
        return try JSONBody.response(SubscriptionView(subscription))
    }

    /// Applies the change to the subscription as it is now: built on a stale read it would undo a
    /// change made meanwhile (the gateway disabling it), so a lost compare-and-set reads again.
    /// Open deliveries are decided again in the same transaction (`OpenDeliveryReview`).
    private func update(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let submission = try await JSONBody.decode(SubscriptionSubmission.self, from: request, context: context)
        for _ in 0..<5 {
            let (existing, identity) = try await owned(context)
            if let channel = submission.channel, channel != existing.channel.rawValue {
                // The signing secret belongs to the webhook; a new channel is a new subscription.
                throw Problem.validation(.init(errors: [.init("channel", "cannot be changed; create a new subscription")]))
            }
            let updated: Subscription
            switch gateway.subscriptionValidator.update(existing, with: submission, now: gateway.clock.now()) {
            case .success(let value): updated = value
            case .failure(let failure): throw Problem.validation(failure)
            }
            if updated.target != existing.target { try await refuseIfPrivate(updated) }
            let rules = gateway.engine.rules
            let review = OpenDeliveryReview(reference: rules.reference, classification: rules.policies.classification)
            let written: Bool
            do {
                written = try await gateway.store.updateSubscription(updated, from: existing) { open in
                    review.review(open, from: existing, to: updated)
                }
            } catch StoreError.notFound {
                throw Problem.notFound("subscription \(existing.id)")
            }
            guard written else { continue }
            gateway.engine.upsert(updated)
            try await gateway.audit.record(identity, .subscriptionUpdate, object: updated.id, detail: updated.enabled ? "enabled" : "disabled")
            return try JSONBody.response(SubscriptionView(updated))
        }
        throw Problem(
            status: .conflict, type: "conflict", title: "Changed meanwhile",
            detail: "the subscription kept changing while this change was applied; read it again and retry"
        )
    }

    private func remove(_ context: SikoRequestContext) async throws -> Response {
        let (subscription, identity) = try await owned(context)
        try await gateway.store.deleteSubscription(id: subscription.id, at: gateway.clock.now())
        gateway.engine.remove(id: subscription.id)
        try await gateway.audit.record(identity, .subscriptionDelete, object: subscription.id)
        return Response(status: .noContent)
    }
}
