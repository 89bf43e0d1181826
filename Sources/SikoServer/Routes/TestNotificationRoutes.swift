import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// `POST /v1/subscriptions/{id}/test`: a marked test notification to that one subscription,
/// answered 202 once its delivery is stored, with where to follow it.
struct TestNotificationRoutes {
    let tests: TestNotificationService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("subscriptions/:id/test") { _, context in try await send(context) }
    }

    private func send(_ context: SikoRequestContext) async throws -> Response {
        let sent = try await tests.sendTest(subscriptionID: try context.parameters.require("id"), by: try context.caller())
        let view = TestNotificationView(sent)
        var response = try JSONBody.response(view, status: .accepted)
        response.headers[.location] = view.links.delivery
        return response
    }
}
