import Foundation
import HTTPTypes
import Hummingbird
import SikoModel
import SikoStore

/// `POST /v1/events`, `GET /v1/events/{id}`, `GET /v1/events/{id}/deliveries`.
struct EventRoutes {
    let gateway: Gateway

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("events") { request, context in try await publish(request, context) }
        group.post("explain") { request, context in try await explain(request, context) }
        group.get("events/:id") { _, context in try await show(context) }
        group.get("events/:id/deliveries") { request, context in try await deliveries(request, context) }
    }

    private func publish(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .eventsPublish)
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 255 {
            throw Problem.validation(.init(errors: [.init("Idempotency-Key", "must be 1 to 255 characters")]))
        }
        let submission = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        do {
            let result = try await gateway.intake.publish(submission, idempotencyKey: idempotencyKey, by: identity)
            return try JSONBody.response(
                PublishView(id: result.eventId, deliveries: result.deliveries, duplicate: result.duplicate),
                status: result.duplicate ? .ok : .accepted
            )
        } catch let failure as EventIntake.Failure {
            throw Self.problem(failure)
        }
    }

    /// The dry run: the same validation, jurisdiction, matching and policies as publishing; nothing is stored or sent.
    private func explain(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .eventsPublish)
        let submission = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        do {
            let explanation = try gateway.intake.explain(submission, by: identity)
            return try JSONBody.response(ExplanationView(explanation, for: identity))
        } catch let failure as EventIntake.Failure {
            throw Self.problem(failure)
        }
    }

    private static func problem(_ failure: EventIntake.Failure) -> Problem {
        switch failure {
        case .invalid(let failure):
            Problem.validation(failure)
        case .outsideJurisdiction(let partner, let areas):
            Problem(
                status: .forbidden, type: "outside-jurisdiction", title: "Outside jurisdiction",
                detail: "\(partner) may not publish into \(areas.joined(separator: ", "))"
            )
        }
    }

    /// The publisher, an admin, or a partner the event was delivered to may read it.
    private func visibleEvent(_ context: SikoRequestContext) async throws -> (Event, Identity) {
        let identity = try context.caller(with: .deliveriesRead)
        let id = try context.parameters.require("id")
        guard let event = try await gateway.store.event(id: id) else { throw Problem.notFound("event \(id)") }
        if identity.owns(event.publisher) { return (event, identity) }
        let own = try await gateway.store.deliveries(matching: DeliveryQuery(eventId: id, visibleTo: identity.partner, limit: 1))
        guard !own.isEmpty else { throw Problem.notFound("event \(id)") }
        return (event, identity)
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        let (event, _) = try await visibleEvent(context)
        return try JSONBody.response(EventView(event, counts: try await gateway.store.deliveryCounts(eventID: event.id)))
    }

    /// A page at a time: an event may reach tens of thousands of subscriptions.
    private func deliveries(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let (event, identity) = try await visibleEvent(context)
        // Recipients see their own deliveries; the publisher sees all, with others' targets masked.
        var query = DeliveryQuery(eventId: event.id, visibleTo: identity.isAdmin ? nil : identity.partner)
        var errors: [FieldError] = []
        DeliveryPaging.read(request, into: &query, errors: &errors)
        guard errors.isEmpty else { throw Problem.validation(.init(errors: errors)) }
        let page = try await gateway.store.deliveries(matching: query)
        return try JSONBody.response(DeliveryPaging.page(page, of: query, for: identity))
    }
}
