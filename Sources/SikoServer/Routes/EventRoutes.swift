import Foundation
import HTTPTypes
import Hummingbird
import SikoCore
import SikoModel

/// `POST /v1/events`, `POST /v1/explain`, `GET /v1/events/{id}`, `GET /v1/events/{id}/deliveries`.
struct EventRoutes {
    let publishing: PublishingService
    let explaining: ExplainService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("events") { request, context in try await publish(request, context) }
        group.post("explain") { request, context in try await explain(request, context) }
        group.get("events/:id") { _, context in try await show(context) }
        group.get("events/:id/deliveries") { request, context in try await deliveries(request, context) }
    }

    private func publish(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        let submission = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        let result = try await publishing.publish(submission, idempotencyKey: idempotencyKey, by: identity)
        return JSONBody.response(
            json: PublishView(id: result.eventId, deliveries: result.deliveries, duplicate: result.duplicate).json,
            status: result.duplicate ? .ok : .accepted
        )
    }

    private func explain(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let submission = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        return try JSONBody.response(ExplanationView(try explaining.explain(submission, by: identity)))
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        let summary = try await publishing.event(id: try context.parameters.require("id"), by: try context.caller())
        return try JSONBody.response(EventView(summary.event, counts: summary.counts))
    }

    /// A page at a time: an event may reach tens of thousands of subscriptions.
    private func deliveries(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        var query = DeliveryQuery()
        DeliveryPaging.read(request, into: &query)
        let page = try await publishing.deliveries(of: try context.parameters.require("id"), page: query, by: identity)
        return try JSONBody.response(DeliveryPaging.page(page, of: query))
    }
}
