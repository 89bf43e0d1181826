import Foundation
import SikoChannels
import SikoModel

/// Delivery reports from the SMS gateway. No key: each report URL carries its delivery's own token,
/// so a forged report is refused and changes nothing.
public struct ReceiptIntake: Sendable {
    let store: any ReceiptStore
    let token: ReceiptToken
    let clock: any WallClock

    public init(store: any ReceiptStore, token: ReceiptToken, clock: any WallClock) {
        self.store = store
        self.token = token
        self.clock = clock
    }

    public enum Refusal: Error, Equatable {
        case invalidToken
    }

    /// Keeps the report and answers the delivery as it stands after it.
    /// The token is checked first, so a forger learns nothing from the other checks.
    public func record(deliveryID: String, token given: String, status: Int?, answer: String?) async throws -> Delivery {
        guard token.verify(given, for: deliveryID) else { throw Refusal.invalidToken }
        guard let status, let report = SMSReceipt(rawValue: status) else {
            throw ServiceError.invalid("status", .oneOf(SMSReceipt.allCases.map { String($0.rawValue) }))
        }
        let detail = answer.map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let receipt = Receipt(deliveryId: deliveryID, report: report, detail: detail, receivedAt: clock.now())
        guard let delivery = try await store.recordReceipt(receipt) else { throw ServiceError.notFound("delivery \(deliveryID)") }
        return delivery
    }
}
