import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// Subscriptions CRUD. A partner sees and changes only its own; another's answers 404.
struct SubscriptionRoutes {
    let subscriptions: SubscriptionService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("subscriptions") { request, context in try await create(request, context) }
        group.get("subscriptions") { _, context in try await list(context) }
        group.get("subscriptions/:id") { _, context in try await show(context) }
        group.patch("subscriptions/:id") { request, context in try await update(request, context) }
        group.delete("subscriptions/:id") { _, context in try await remove(context) }
    }

    private func create(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let submission = try await JSONBody.decode(SubscriptionSubmission.self, from: request, context: context)
        let created = try await subscriptions.create(submission, by: identity)
        var response = try JSONBody.response(SubscriptionView(created.subscription, secret: created.secret), status: .created)
        response.headers[.location] = "/v1/subscriptions/\(created.subscription.id)"
        return response
    }

    private func list(_ context: SikoRequestContext) async throws -> Response {
        let found = try await subscriptions.list(by: try context.caller())
        return try JSONBody.response(SubscriptionList(subscriptions: found.map { SubscriptionView($0) }))
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        let subscription = try await subscriptions.subscription(id: try context.parameters.require("id"), by: try context.caller())
        return try JSONBody.response(SubscriptionView(subscription))
    }

    private func update(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let submission = try await JSONBody.decode(SubscriptionSubmission.self, from: request, context: context)
        let updated = try await subscriptions.update(id: try context.parameters.require("id"), with: submission, by: identity)
        return try JSONBody.response(SubscriptionView(updated))
    }

    private func remove(_ context: SikoRequestContext) async throws -> Response {
        try await subscriptions.delete(id: try context.parameters.require("id"), by: try context.caller())
        return Response(status: .noContent)
    }
}
