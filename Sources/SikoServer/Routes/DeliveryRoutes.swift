import Foundation
import Hummingbird
import SikoModel
import SikoStore

/// `GET /v1/deliveries`, `GET /v1/deliveries/{id}`, `POST /v1/deliveries/{id}/retry`, `POST /v1/deliveries/retry`.
struct DeliveryRoutes {
    let gateway: Gateway

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("deliveries") { request, context in try await list(request, context) }
        group.get("deliveries/:id") { _, context in try await show(context) }
        group.post("deliveries/:id/retry") { _, context in try await retry(context) }
        group.post("deliveries/retry") { request, context in try await retryMany(request, context) }
    }

    /// The filter of a bulk retry; `status` is `dead` unless it says `failed`.
    struct RetryFilter: Decodable {
        var status: String?
        var channel: String?
        var event: String?
        var subscription: String?
        var limit: Int?
    }

    /// Puts every matching dead (or failed) delivery the caller may see back in the queue, at most
    /// `limit` (1000 unless given, at most 10,000) per call.
    private func retryMany(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .deliveriesRead)
        let filter = try await JSONBody.decode(RetryFilter.self, from: request, context: context)
        var errors: [FieldError] = []
        var query = DeliveryQuery(
            status: .dead, eventId: filter.event, subscriptionId: filter.subscription,
            visibleTo: identity.isAdmin ? nil : identity.partner, limit: filter.limit ?? 1000
        )
        if let raw = filter.status {
            if raw == "dead" || raw == "failed" { query.status = DeliveryStatus(rawValue: raw) } else {
                errors.append(.init("status", "must be dead or failed"))
            }
        }
        if let raw = filter.channel {
            query.channel = ChannelKind(rawValue: raw)
            if query.channel == nil { errors.append(.init("channel", "must be one of email, sms, webhook")) }
        }
        if let limit = filter.limit, !(1...10_000).contains(limit) { errors.append(.init("limit", "must be a whole number from 1 to 10000")) }
        guard errors.isEmpty else { throw Problem.validation(.init(errors: errors)) }
        let count = try await gateway.store.requeue(matching: query, at: gateway.clock.now())
        if count > 0 {
            gateway.dispatcher.wake.signal()
            try await gateway.audit.record(
                identity, .deliveriesRetry, object: filter.event ?? filter.subscription ?? "all",
                detail: "\(count) \(query.status?.rawValue ?? "dead")\(query.channel.map { " " + $0.rawValue } ?? "")"
            )
        }
        return try JSONBody.response(RetryResult(requeued: count))
    }

    struct RetryResult: Encodable {
        var requeued: Int
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .deliveriesRead)
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        var query = DeliveryQuery(visibleTo: identity.isAdmin ? nil : identity.partner)
        if let raw = parameters.get("status") {
            query.status = DeliveryStatus(rawValue: raw)
            if query.status == nil { errors.append(.init("status", "must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")) }
        }
        if let raw = parameters.get("channel") {
            query.channel = ChannelKind(rawValue: raw)
            if query.channel == nil { errors.append(.init("channel", "must be one of email, sms, webhook")) }
        }
        DeliveryPaging.read(request, into: &query, errors: &errors)
        query.eventId = parameters.get("event")
        query.subscriptionId = parameters.get("subscription")
        guard errors.isEmpty else { throw Problem.validation(.init(errors: errors)) }
        let page = try await gateway.store.deliveries(matching: query)
        return try JSONBody.response(DeliveryPaging.page(page, of: query, for: identity))
    }

    /// The subscription's owner, the event's publisher, or an admin may see a delivery.
    private func visibleDelivery(_ context: SikoRequestContext) async throws -> (Delivery, Identity) {
        let identity = try context.caller(with: .deliveriesRead)
        let id = try context.parameters.require("id")
        guard let delivery = try await gateway.store.delivery(id: id) else { throw Problem.notFound("delivery \(id)") }
        if identity.owns(delivery.partner) { return (delivery, identity) }
        guard let event = try await gateway.store.event(id: delivery.eventId), identity.owns(event.publisher) else {
            throw Problem.notFound("delivery \(id)")
        }
        return (delivery, identity)
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        let (delivery, identity) = try await visibleDelivery(context)
        let attempts = try await gateway.store.attempts(deliveryID: delivery.id)
        let receipts = delivery.channel == .sms ? try await gateway.store.receipts(deliveryID: delivery.id) : nil
        return try JSONBody.response(DeliveryView(delivery, for: identity, history: attempts, receipts: receipts))
    }

    private func retry(_ context: SikoRequestContext) async throws -> Response {
        let (delivery, identity) = try await visibleDelivery(context)
        guard delivery.status == .dead || delivery.status == .failed else {
            throw Problem(status: .conflict, type: "not-retryable", title: "Not retryable",
                          detail: "only dead or failed deliveries can be retried; this one is \(delivery.status.rawValue)")
        }
        guard let subscription = try await gateway.store.subscription(id: delivery.subscriptionId), subscription.enabled else {
            throw Problem(
                status: .conflict, type: "subscription-inactive", title: "Subscription inactive",
                detail: "the delivery's subscription is deleted or disabled, so nothing is sent for it; enable the subscription first"
            )
        }
        guard let updated = try await gateway.store.requeue(deliveryID: delivery.id, at: gateway.clock.now()) else {
            throw Problem.notFound("delivery \(delivery.id)")
        }
        guard updated.status == .pending else {
            throw Problem(status: .conflict, type: "subscription-inactive", title: "Subscription inactive",
                          detail: "the delivery's subscription was deleted or disabled meanwhile")
        }
        gateway.dispatcher.wake.signal()
        try await gateway.audit.record(identity, .deliveryRetry, object: delivery.id)
        return try JSONBody.response(DeliveryView(updated, for: identity))
    }
}
