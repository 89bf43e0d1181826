import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// `GET|POST /v1/callbacks/sms`: delivery reports from the SMS gateway. No bearer key: each report
/// URL carries its delivery's own token (`ReceiptIntake`).
struct CallbackRoutes {
    let receipts: ReceiptIntake

    func register(on router: Router<SikoRequestContext>) {
        router.get("v1/callbacks/sms") { request, _ in try await report(request) }
        router.post("v1/callbacks/sms") { request, _ in try await report(request) }
    }

    private func report(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard let deliveryID = parameters.get("delivery").map({ String($0) }), let token = parameters.get("token").map({ String($0) }),
              deliveryID.utf8.count <= 64, token.utf8.count <= 64 else {
            throw Problem(status: .badRequest, type: "malformed-report", detail: "a report needs delivery and token")
        }
        do {
            let delivery = try await receipts.record(
                deliveryID: deliveryID, token: token, status: parameters.get("status").flatMap { Int($0) }, answer: parameters.get("answer")
            )
            return try JSONBody.response(Status(status: delivery.status.rawValue))
        } catch ReceiptIntake.Refusal.invalidToken {
            throw Self.forged
        }
    }

    static let forged = Problem(status: .forbidden, type: "invalid-report-token", detail: "the token does not match the delivery")
}
