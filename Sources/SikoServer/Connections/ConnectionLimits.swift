/// How long a client may keep a connection without using it, how long it may take to send a
/// request, and how many connections may be open at once: without these a client that trickles
/// its bytes, or merely opens sockets, holds the server's connections for as long as it likes.
public struct ConnectionLimits: Sendable {
    /// A connection on which no request is read or answered for this long is closed.
    public var idleTimeout: Duration
    /// A request's head and body must arrive within this long of its first byte, else the connection is closed.
    public var requestTimeout: Duration
    /// Connections beyond this many open at once are closed as soon as they are accepted.
    public var maxConnections: Int

    public static let standard = ConnectionLimits(idleTimeout: .seconds(60), requestTimeout: .seconds(30), maxConnections: 4096)

    public init(idleTimeout: Duration, requestTimeout: Duration, maxConnections: Int) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
    }
}
