import Foundation
import Hummingbird
import SikoModel
import SikoStore

/// `GET|POST /v1/callbacks/sms`: delivery reports from the SMS gateway. No bearer key: each report
/// URL carries its delivery's own token, so a forged report is refused and changes nothing.
struct CallbackRoutes {
    let gateway: Gateway

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
        guard gateway.receiptToken.verify(token, for: deliveryID) else {
            throw Problem(status: .forbidden, type: "invalid-report-token", detail: "the token does not match the delivery")
        }
        guard let code = parameters.get("status").flatMap({ Int($0) }), let kind = SMSReceipt(rawValue: code) else {
            throw Problem.validation(.init(errors: [.init("status", "must be one of 1, 2, 4, 8, 16")]))
        }
        let answer = parameters.get("answer").map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let receipt = Receipt(deliveryId: deliveryID, report: kind, detail: answer, receivedAt: gateway.clock.now())
        guard let delivery = try await gateway.store.recordReceipt(receipt) else { throw Problem.notFound("delivery \(deliveryID)") }
        return try JSONBody.response(Status(status: delivery.status.rawValue))
    }
}
