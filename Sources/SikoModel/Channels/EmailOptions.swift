/// What `Channels/email.yaml` says besides the settings every channel has.
public struct EmailOptions: Sendable, Equatable {
    /// Whether an `smtp://` connection must, may or must not turn to TLS (`starttls`).
    public enum StartTLS: String, Sendable, CaseIterable {
        case required, opportunistic, off
    }

    /// `smtp://host:port` (with STARTTLS as `startTLS` says) or `smtps://host:port` (TLS from the first byte).
    public var url: String
    public var startTLS: StartTLS
    public var from: Mailbox
    /// AUTH is used when a user is given.
    public var user: String?
    public var password: String?
    /// A CA bundle (PEM) for a server with its own certificate; nil for the system's.
    public var caFile: String?
    /// The gateway's pages, for the link in every message (`publicURL`).
    public var links: Links
    /// At most this many messages a second (the relay's limit); nil for none.
    public var ratePerSecond: Double?

    public init(
        url: String, from: Mailbox, startTLS: StartTLS = .required, user: String? = nil, password: String? = nil, caFile: String? = nil,
        links: Links = Links(publicURL: Links.defaultPublicURL), ratePerSecond: Double? = nil
    ) {
        self.url = url
        self.startTLS = startTLS
        self.from = from
        self.user = user
        self.password = password
        self.caFile = caFile
        self.links = links
        self.ratePerSecond = ratePerSecond
    }
}
