/// Where a delivery stands. See CONTRACT.md, "Delivery states".
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for its due time.
    case pending
    /// A worker holds it under a lease.
    case sending
    /// The receiver confirmed it.
    case delivered
    /// Handed to a next hop that gives no receipt yet.
    case sent
    /// The last attempt failed; it will be tried again at `nextAttemptAt`.
    case failed
    /// Given up.
    case dead
    /// Not sent, by a rule.
    case suppressed

    /// Waiting for an attempt: what a claim takes, what a subscription's change revises and what
    /// its stop suppresses.
    public static let open: [DeliveryStatus] = [.pending, .failed]
    /// What a retry may put back to `pending`.
    public static let requeueable: [DeliveryStatus] = [.dead, .failed]

    /// True when no worker will touch it again on its own.
    public var isFinal: Bool {
        switch self {
        case .delivered, .dead, .suppressed, .sent: true
        case .pending, .sending, .failed: false
        }
    }
}
