import Foundation

/// A receiving host held back by its circuit breaker (open, or letting one probe through).
public struct OpenBreaker: Sendable, Equatable {
    public var channel: ChannelKind
    /// `host:port` for webhooks; the channel's one server for email and SMS.
    public var host: String
    public var retryAt: Date
    /// The targets seen behind the host, so a caller can tell whose they are.
    public var targets: [String]

    public init(channel: ChannelKind, host: String, retryAt: Date, targets: [String]) {
        self.channel = channel
        self.host = host
        self.retryAt = retryAt
        self.targets = targets
    }
}
