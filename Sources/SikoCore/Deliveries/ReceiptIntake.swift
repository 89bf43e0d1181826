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

    /// Whether `given` is the report token of `deliveryID`.
    public func verify(_ given: String, for deliveryID: String) -> Bool {
        token.verify(given, for: deliveryID)
    }

    /// Keeps the report and answers the delivery as it stands after it.
    public func record(deliveryID: String, token given: String, report: SMSReceipt, answer: String?) async throws -> Delivery {
        guard verify(given, for: deliveryID) else { throw Refusal.invalidToken }
        let detail = answer.map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let receipt = Receipt(deliveryId: deliveryID, report: report, detail: detail, receivedAt: clock.now())
        guard let delivery = try await store.recordReceipt(receipt) else { throw ServiceError.notFound("delivery \(deliveryID)") }
        return delivery
    }
}
