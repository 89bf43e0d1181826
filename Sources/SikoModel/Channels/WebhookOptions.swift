/// What `Channels/webhook.yaml` says besides the settings every channel has.
public struct WebhookOptions: Sendable, Equatable {
    /// Networks targets may reach although private or loopback (`allowPrivateTargets`).
    public var allowPrivateTargets: [CIDR]
    /// How long the outbound guard waits for a target's name lookup (`dnsTimeout`).
    public var dnsTimeout: Duration
    /// A PEM bundle of CAs trusted besides the system's, for receivers with a CA of their own (`caFile`).
    public var caFile: String?

    public init(allowPrivateTargets: [CIDR] = [], dnsTimeout: Duration = OutboundPolicy.defaultDNSTimeout, caFile: String? = nil) {
        self.allowPrivateTargets = allowPrivateTargets
        self.dnsTimeout = dnsTimeout
        self.caFile = caFile
    }

    public var outbound: OutboundPolicy { OutboundPolicy(allowed: allowPrivateTargets) }
}
