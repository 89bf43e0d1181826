import SikoModel

/// What guards the HTTP front besides API keys.
public struct AccessSettings: Sendable {
    /// Requests with unknown keys, per client address; nil for no limit.
    public var unknownKeyLimit: RateLimiter.Limit?
    /// Proxies whose `X-Forwarded-For` names the client.
    public var trustedProxies: [CIDR]
    /// The bearer token `/metrics` asks for; nil leaves it open.
    public var metricsToken: String?

    public init(unknownKeyLimit: RateLimiter.Limit? = nil, trustedProxies: [CIDR] = [], metricsToken: String? = nil) {
        self.unknownKeyLimit = unknownKeyLimit
        self.trustedProxies = trustedProxies
        self.metricsToken = metricsToken
    }
}
