import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// `GET /v1/deliveries`, `GET /v1/deliveries/{id}`, `POST /v1/deliveries/{id}/retry`, `POST /v1/deliveries/retry`.
struct DeliveryRoutes {
    let deliveries: DeliveryService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("deliveries") { request, context in try await list(request, context) }
        group.get("deliveries/:id") { _, context in try await show(context) }
        group.post("deliveries/:id/retry") { _, context in try await retry(context) }
        group.post("deliveries/retry") { request, context in try await retryMany(request, context) }
    }

    /// The filter of a bulk retry as JSON.
    struct RetryFilter: Decodable {
        var status: String?
        var channel: String?
        var event: String?
        var subscription: String?
        var limit: Int?
    }

    private func retryMany(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let filter = try await JSONBody.decode(RetryFilter.self, from: request, context: context)
        let count = try await deliveries.retry(
            .init(status: filter.status, channel: filter.channel, event: filter.event, subscription: filter.subscription, limit: filter.limit),
            by: identity
        )
        return try JSONBody.response(RetryResult(requeued: count))
    }

    struct RetryResult: Encodable {
        var requeued: Int
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        var query = DeliveryQuery()
        if let raw = parameters.get("status") {
            query.status = DeliveryStatus(rawValue: raw)
            if query.status == nil { errors.append(.init("status", .oneOf(DeliveryStatus.allCases.map(\.rawValue)))) }
        }
        if let raw = parameters.get("channel") {
            query.channel = ChannelKind(rawValue: raw)
            if query.channel == nil { errors.append(.init("channel", .channels)) }
        }
        DeliveryPaging.read(request, into: &query)
        if let error = query.pageLimitError { errors.append(error) }
        query.eventId = parameters.get("event")
        query.subscriptionId = parameters.get("subscription")
        guard errors.isEmpty else { throw Problem.validation(.init(errors: errors)) }
        let page = try await deliveries.list(query, by: identity)
        return try JSONBody.response(DeliveryPaging.page(page, of: query))
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        let detail = try await deliveries.detail(id: try context.parameters.require("id"), by: try context.caller())
        return try JSONBody.response(DeliveryView(detail.delivery, history: detail.attempts, receipts: detail.receipts))
    }

    private func retry(_ context: SikoRequestContext) async throws -> Response {
        let delivery = try await deliveries.retry(id: try context.parameters.require("id"), by: try context.caller())
        return try JSONBody.response(DeliveryView(delivery))
    }
}
