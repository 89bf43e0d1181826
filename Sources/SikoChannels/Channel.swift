import SikoModel

/// A way to send notifications. An adapter answers every send with an outcome and never throws:
/// it classifies its own failures (retry or permanent) so the dispatcher can decide what follows.
public protocol Channel: Sendable {
    var kind: ChannelKind { get }
    func send(_ job: DeliveryJob) async -> SendReport
    /// At most this many sends a second (a relay's or SMS gateway's limit), spaced evenly; nil for
    /// none. The dispatcher paces before it claims, so no send waits while holding its lease.
    var ratePerSecond: Double? { get }
    /// True when the adapter bounds a whole send by its timeout itself, so the dispatcher need not
    /// put a deadline of its own around it (two tasks and a timer per send).
    var boundsItsOwnExchange: Bool { get }
    /// Closes connections; called once when the gateway stops.
    func shutdown() async throws
}

extension Channel {
    public var ratePerSecond: Double? { nil }
    public var boundsItsOwnExchange: Bool { false }
}
