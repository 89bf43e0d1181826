/// A delivery report from an SMS gateway (Kannel's `%d`). Reports may come late, twice or out of
/// order (8 after 1): a delivery's state only moves forward.
public enum SMSReceipt: Int, Sendable, CaseIterable {
    case delivered = 1
    case failed = 2
    case buffered = 4
    case acceptedBySMSC = 8
    case rejectedBySMSC = 16

    /// How long after a send its report may still come: SMSCs give up on a message once its
    /// validity period is over, a week at the longest in common settings.
    public static let reportWindow: Duration = .seconds(7 * 86_400)

    public var meaning: String {
        switch self {
        case .delivered: "delivered to the phone"
        case .failed: "delivery failed"
        case .buffered: "buffered by the SMSC"
        case .acceptedBySMSC: "accepted by the SMSC"
        case .rejectedBySMSC: "rejected by the SMSC"
        }
    }

    /// The state a delivery in `status` moves to, or nil when the report changes nothing (it is
    /// still kept as a receipt). Only deliveries handed to the gateway (`sent`, or `sending` when
    /// the report overtakes the recording of the send) move.
    public func transition(from status: DeliveryStatus) -> DeliveryStatus? {
        guard status == .sent || status == .sending else { return nil }
        switch self {
        case .delivered: return .delivered
        case .failed, .rejectedBySMSC: return .dead
        case .buffered, .acceptedBySMSC: return nil
        }
    }

    /// The last error of a delivery this report ends.
    public func reason(detail: String?) -> String { "SMS report: \(meaning)" + (detail.map { " (\($0))" } ?? "") }
}

/// What recording one report does, decided from the delivery's state alone.
public struct ReceiptEffect: Sendable, Equatable {
    /// The SMSC's answer as kept: none once retention purged the event, whose report keeps its code only.
    public var detail: String?
    /// The delivery's next state, or nil when the report changes nothing.
    public var next: DeliveryStatus?
    /// The delivery's new last error, or nil to keep the one it has.
    public var lastError: String?

    public init(detail: String?, next: DeliveryStatus?, lastError: String?) {
        self.detail = detail
        self.next = next
        self.lastError = lastError
    }
}

extension Receipt {
    public func effect(on status: DeliveryStatus, eventPurged: Bool) -> ReceiptEffect {
        let detail = eventPurged ? nil : self.detail
        let next = report.transition(from: status)
        return ReceiptEffect(detail: detail, next: next, lastError: next == .dead ? report.reason(detail: detail) : nil)
    }
}
