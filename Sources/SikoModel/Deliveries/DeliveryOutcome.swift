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

/// An outcome with the receiver's answer code, as the dispatcher records it.
public struct SendReport: Sendable, Equatable {
    public var outcome: DeliveryOutcome
    public var responseCode: Int?

    public init(_ outcome: DeliveryOutcome, responseCode: Int? = nil) {
        self.outcome = outcome
        self.responseCode = responseCode
    }
}
