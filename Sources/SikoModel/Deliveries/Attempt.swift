import Foundation

/// One try of a delivery and what came of it.
public struct Attempt: Sendable, Codable, Equatable {
    public var deliveryId: String
    public var number: Int
    public var startedAt: Date
    public var finishedAt: Date
    /// The state the delivery moved to because of this attempt.
    public var status: DeliveryStatus
    /// The receiver's answer code, where it gave one (HTTP status, SMTP reply).
    public var responseCode: Int?
    public var error: String?

    public init(
        deliveryId: String, number: Int, startedAt: Date, finishedAt: Date, status: DeliveryStatus,
        responseCode: Int?, error: String?
    ) {
        self.deliveryId = deliveryId
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.responseCode = responseCode
        self.error = error
    }
}
