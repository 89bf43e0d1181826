/// What gateways sharing one store tell each other through it. The embedded store has one gateway
/// and does not implement it; PostgreSQL does, by `LISTEN`/`NOTIFY` and a version to catch up by.
public protocol StoreChanges: Sendable {
    /// Notices of what any gateway changed, for as long as the sequence is iterated: the
    /// connection they come by is opened again after it breaks (each time with a `.reconnected`,
    /// since notices may have been missed meanwhile).
    func notices() -> AsyncStream<StoreNotice>
    /// A value that differs after any subscription was created, changed or deleted, by any gateway:
    /// the catch-up that heals a missed notice compares it.
    func subscriptionsVersion() async throws -> String
}

public enum StoreNotice: String, Sendable, Equatable {
    /// Deliveries were planned: a dispatcher may claim them now instead of at its next poll.
    case deliveries
    /// A subscription was created, changed or deleted.
    case subscriptions
    /// The notices' connection was (re)established; anything may have changed meanwhile.
    case reconnected
}
