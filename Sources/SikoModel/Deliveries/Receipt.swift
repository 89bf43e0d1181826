import Foundation

/// A delivery report as recorded: an event of the delivery, whether or not it moved its state.
public struct Receipt: Sendable, Equatable {
    public var deliveryId: String
    public var report: SMSReceipt
    public var detail: String?
    public var receivedAt: Date

    public init(deliveryId: String, report: SMSReceipt, detail: String?, receivedAt: Date) {
        self.deliveryId = deliveryId
        self.report = report
        self.detail = detail
        self.receivedAt = receivedAt
    }
}
