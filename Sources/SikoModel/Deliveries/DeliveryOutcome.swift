/// What a channel adapter says about one send. Adapters classify their own failures and never throw
/// past the dispatcher; the dispatcher alone decides what happens next.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The receiver confirmed it.
    case delivered
    /// A next hop took it without a receipt (SMTP 250, SMS gateway accepted).
    case sent
    /// Worth another try; `after` is the receiver's own wish (Retry-After), if it said one.
    case retry(after: Duration?, reason: String)
    /// Trying again cannot help.
    case permanent(reason: String)
    /// The receiver says this subscription is gone (webhook 410): give up and disable the subscription.
    case gone(reason: String)
}

/// What one send showed of the receiving host, judged by the adapter by its own protocol's rules,
/// so the dispatcher's circuit breakers need none of their own.
public enum HostHealth: Sendable, Equatable {
    /// It answered as a working server does, even with a refusal: its breaker closes.
    case healthy
    /// No answer, or an answer that the host itself is in trouble: counts toward opening its breaker.
    case unhealthy
    /// Nothing to tell: nothing reached the host, or it asked for a pause (Retry-After), which
    /// holds it without counting against it.
    case unknown
}

/// An outcome with the receiver's answer code, as the dispatcher records it.
public struct SendReport: Sendable, Equatable {
    public var outcome: DeliveryOutcome
    public var responseCode: Int?
    public var host: HostHealth

    public init(_ outcome: DeliveryOutcome, responseCode: Int? = nil, host: HostHealth) {
        self.outcome = outcome
        self.responseCode = responseCode
        self.host = host
    }
}
