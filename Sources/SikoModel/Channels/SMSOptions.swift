/// What `Channels/sms.yaml` says besides the settings every channel has.
public struct SMSOptions: Sendable, Equatable {
    /// The gateway's `sendsms` URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms.
    public var url: String
    public var user: String
    public var password: String
    /// The sender: up to 11 letters or a number.
    public var from: String
    /// The gateway's pages, for the link in every message and the delivery-report URL (`publicURL`).
    public var links: Links
    /// Longer texts are cut to this many segments and end in "..." and the link.
    public var maxSegments: Int
    /// At most this many messages a second through the gateway; nil for none.
    public var ratePerSecond: Double?
    /// Networks the gateway's URL may reach although private or loopback (`allowPrivateTargets`).
    public var allowPrivateTargets: [CIDR]

    public init(
        url: String, from: String, user: String = "", password: String = "", links: Links = Links(publicURL: Links.defaultPublicURL),
        maxSegments: Int = 3, ratePerSecond: Double? = nil, allowPrivateTargets: [CIDR] = OutboundPolicy.loopback
    ) {
        self.url = url
        self.user = user
        self.password = password
        self.from = from
        self.links = links
        self.maxSegments = maxSegments
        self.ratePerSecond = ratePerSecond
        self.allowPrivateTargets = allowPrivateTargets
    }

    public var outbound: OutboundPolicy { OutboundPolicy(allowed: allowPrivateTargets) }
}
