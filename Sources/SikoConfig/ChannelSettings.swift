import SikoModel

/// What every channel file says (how often to try, how long to wait, how many sends at once), and
/// the channel's own values, typed and checked by `ChannelsLoader`.
public struct ChannelSettings<Options: Sendable & Equatable>: Sendable, Equatable {
    public var retrySchedule: RetrySchedule
    public var timeout: Duration
    public var concurrency: Int
    /// Sends at once to one target (URL, address or number): `perTargetConcurrency`.
    public var perTargetConcurrency: Int
    /// Failures in a row that open a host's circuit breaker (`breakerThreshold`), and how long it
    /// stays open before a probe (`breakerCooldown`).
    public var breaker: CircuitBreaker.Settings
    /// A subscription failing this long without a success is disabled (`disableAfter`, 5 days by default).
    public var disableAfter: Duration
    /// The channel's own values (URLs, sender, credentials), after `${…}` expansion.
    public var options: Options

    public init(
        retrySchedule: RetrySchedule = .standard, timeout: Duration = .seconds(10), concurrency: Int = 64,
        perTargetConcurrency: Int = 16, breaker: CircuitBreaker.Settings = .init(), disableAfter: Duration = .seconds(5 * 86_400),
        options: Options
    ) {
        self.retrySchedule = retrySchedule
        self.timeout = timeout
        self.concurrency = concurrency
        self.perTargetConcurrency = perTargetConcurrency
        self.breaker = breaker
        self.disableAfter = disableAfter
        self.options = options
    }
}

/// Everything read from `Channels/`.
public struct ChannelsConfiguration: Sendable, Equatable {
    public var webhook: ChannelSettings<WebhookOptions>
    public var email: ChannelSettings<EmailOptions>?
    public var sms: ChannelSettings<SMSOptions>?

    public init(webhook: ChannelSettings<WebhookOptions>, email: ChannelSettings<EmailOptions>? = nil, sms: ChannelSettings<SMSOptions>? = nil) {
        self.webhook = webhook
        self.email = email
        self.sms = sms
    }

    /// Where webhook targets may lead, which subscriptions are checked against too.
    public var outboundPolicy: OutboundPolicy { webhook.options.outbound }
}
