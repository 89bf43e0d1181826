import SikoChannels
import SikoModel

/// A channel adapter with the settings the dispatcher applies to it.
public struct ChannelRoute: Sendable {
    public var channel: any Channel
    public var retrySchedule: RetrySchedule
    public var timeout: Duration
    /// Sends at once on this channel: its own budget, so a stuck channel never starves another.
    public var concurrency: Int
    /// Sends at once to one target (URL, address or number) while it is new, slow or failing; one
    /// that keeps answering fast earns up to a quarter of `concurrency` (`Allowance`).
    public var perTarget: Int
    public var breaker: CircuitBreaker.Settings
    /// A subscription whose deliveries fail this long without a single success is disabled.
    public var disableAfter: Duration

    public init(
        channel: any Channel, retrySchedule: RetrySchedule, timeout: Duration, concurrency: Int = 64, perTarget: Int = 16,
        breaker: CircuitBreaker.Settings = .init(), disableAfter: Duration = .seconds(5 * 86_400)
    ) {
        self.channel = channel
        self.retrySchedule = retrySchedule
        self.timeout = timeout
        self.concurrency = concurrency
        self.perTarget = perTarget
        self.breaker = breaker
        self.disableAfter = disableAfter
    }

    var limits: Admission.Limits {
        Admission.Limits(
            budget: concurrency, perTarget: perTarget, ceiling: max(perTarget, concurrency / 4), breaker: breaker,
            interval: channel.ratePerSecond.flatMap { $0 > 0 ? 1 / $0 : nil }
        )
    }
}
