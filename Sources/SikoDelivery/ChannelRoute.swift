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

    /// One gateway's part when `gateways` live gateways share one store: the caps per target and
    /// the channel's pace are the installation's, so each gets its share of them (never less than
    /// one send at once per target); the budget is this process's own and stays whole.
    func limits(sharedBy gateways: Int) -> Admission.Limits {
        let gateways = max(1, gateways)
        let perTarget = max(1, self.perTarget / gateways)
        return Admission.Limits(
            budget: concurrency, perTarget: perTarget, ceiling: max(perTarget, max(self.perTarget, concurrency / 4) / gateways), breaker: breaker,
            interval: channel.ratePerSecond.flatMap { $0 > 0 ? Double(gateways) / $0 : nil }
        )
    }
}
