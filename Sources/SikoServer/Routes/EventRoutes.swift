import Foundation
import HTTPTypes
import Hummingbird
import SikoCore
import SikoModel

/// `POST /v1/events` (JSON or CAP), `POST /v1/explain`, `GET /v1/events/{id}`, `GET /v1/events/{id}/deliveries`,
/// `POST /v1/events/{id}/update` and `/cancel`, `GET /v1/feeds/cap.atom`.
struct EventRoutes {
    let publishing: PublishingService
    let explaining: ExplainService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("events") { request, context in try await publish(request, context) }
        group.post("explain") { request, context in try await explain(request, context) }
        group.get("events/:id") { request, context in
            guard CAPBody.wantsCAP(request) else { return try await show(context) }
            var response = CAPBody.response(Array(try await publishing.capAlert(id: try context.parameters.require("id"), by: try context.caller()).utf8))
            response.headers[.vary] = "Accept"
            return response
        }
        group.get("feeds/cap.atom") { request, context in
            let after = request.uri.queryParameters.get("after")
            let feed = try await publishing.capFeed(after: after, by: try context.caller())
            return Response(status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: feed)))
        }
        group.get("events/:id/deliveries") { request, context in try await deliveries(request, context) }
        group.post("events/:id/update") { request, context in try await update(request, context) }
        group.post("events/:id/cancel") { request, context in try await cancel(request, context) }
    }

    private static let idempotencyKeyField = HTTPField.Name("Idempotency-Key")!

    private func publish(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        if CAPBody.isCAP(request) {
            let outcome = try await publishing.publishCAP(try await CAPBody.collect(request, context: context), by: identity)
            return try JSONBody.response(CAPPublishView(outcome), status: outcome.result.duplicate ? .ok : .accepted)
        }
        let idempotencyKey = request.headers[Self.idempotencyKeyField]
        let submission = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        let result = try await publishing.publish(submission, idempotencyKey: idempotencyKey, by: identity)
        return JSONBody.response(
            json: PublishView(id: result.eventId, deliveries: result.deliveries, duplicate: result.duplicate).json,
            status: result.duplicate ? .ok : .accepted
        )
    }

    private func update(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let submission = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        let result = try await publishing.update(
            try context.parameters.require("id"), with: submission, idempotencyKey: request.headers[Self.idempotencyKeyField], by: identity
        )
        return published(result)
    }

    private func cancel(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let body = try await JSONBody.decodeIfPresent(CancelRequest.self, from: request, context: context)
        let result = try await publishing.cancel(
            try context.parameters.require("id"), reason: body?.reason, idempotencyKey: request.headers[Self.idempotencyKeyField], by: identity
        )
        return published(result)
    }

    private struct CancelRequest: Decodable { var reason: String? }

    private func published(_ result: PublishResult) -> Response {
        JSONBody.response(
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
        let identity = try context.caller()
        let id = try context.parameters.require("id")
        let summary = try await publishing.event(id: id, by: identity)
        let chain = try await publishing.chain(of: id, by: identity)
        var response = try JSONBody.response(EventView(summary.event, counts: summary.counts, chain: chain))
        response.headers[.vary] = "Accept"
        return response
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
