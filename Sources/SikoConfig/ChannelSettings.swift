import SikoModel

/// What every channel file says: how often to try, how long to wait, how many sends at once.
public struct ChannelSettings: Sendable, Equatable {
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
    /// Channel-specific values (URLs, sender, credentials), after `${…}` expansion.
    public var options: [String: String]

    public init(
        retrySchedule: RetrySchedule = .standard, timeout: Duration = .seconds(10), concurrency: Int = 64,
        perTargetConcurrency: Int = 16, breaker: CircuitBreaker.Settings = .init(), disableAfter: Duration = .seconds(5 * 86_400),
        options: [String: String] = [:]
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
    public var webhook: ChannelSettings
    /// Networks webhook targets may reach although private or loopback.
    public var allowPrivateTargets: [CIDR]
    /// How long the outbound guard waits for a webhook host's name lookup (`dnsTimeout`, 2s by default).
    public var dnsTimeout: Duration
    public var email: ChannelSettings?
    public var sms: ChannelSettings?
    /// Networks the SMS gateway's URL may reach although private or loopback (`sms.yaml`).
    public var smsAllowPrivateTargets: [CIDR]

    public init(
        webhook: ChannelSettings, allowPrivateTargets: [CIDR] = [], email: ChannelSettings? = nil, sms: ChannelSettings? = nil,
        smsAllowPrivateTargets: [CIDR] = OutboundPolicy.loopback, dnsTimeout: Duration = OutboundPolicy.defaultDNSTimeout
    ) {
        self.webhook = webhook
        self.allowPrivateTargets = allowPrivateTargets
        self.dnsTimeout = dnsTimeout
        self.smsAllowPrivateTargets = smsAllowPrivateTargets
        self.email = email
        self.sms = sms
    }

    public var outboundPolicy: OutboundPolicy { OutboundPolicy(allowed: allowPrivateTargets) }

    public func settings(for channel: ChannelKind) -> ChannelSettings? {
        switch channel {
        case .webhook: webhook
        case .email: email
        case .sms: sms
        }
    }
}
