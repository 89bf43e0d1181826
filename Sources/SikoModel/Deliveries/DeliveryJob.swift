/// A delivery a worker holds under lease, with what it needs to send it.
public struct DeliveryJob: Sendable, Equatable {
    public var delivery: Delivery
    public var event: Event
    /// The subscription's webhook signing secret (`whsec_…`), for webhooks.
    public var secret: String?
    public var language: Language
    /// The subscription's, as of the claim: a change takes effect from the next send on.
    public var format: PayloadFormat

    public init(delivery: Delivery, event: Event, secret: String?, language: Language, format: PayloadFormat = .json) {
        self.delivery = delivery
        self.event = event
        self.secret = secret
        self.language = language
        self.format = format
    }
}
