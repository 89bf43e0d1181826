import SikoModel

/// A way to send notifications. An adapter answers every send with an outcome and never throws:
/// it classifies its own failures (retry or permanent) so the dispatcher can decide what follows.
public protocol Channel: Sendable {
    var kind: ChannelKind { get }
    func send(_ job: DeliveryJob) async -> SendReport
    /// Closes connections; called once when the gateway stops.
    func shutdown() async throws
}
