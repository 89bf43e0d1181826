import Foundation

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
    /// Says that `gateway` is alive now (by the database's clock, so the gateways' own clocks need
    /// not agree) and answers every gateway seen within `within`, this one among them.
    func announce(_ gateway: GatewayPresence, within: Duration) async throws -> [GatewayPresence]
    /// Says that `gateway` stopped, so the others take back its share at once rather than when it goes stale.
    func withdraw(_ gatewayID: String) async throws
}

/// One gateway on a shared store, as the others see it.
public struct GatewayPresence: Sendable, Equatable {
    public var id: String
    /// Host name and process id, for people reading the log.
    public var host: String
    public var startedAt: Date
    /// Fingerprints of `Rules/` and `Channels/` in force.
    public var rules: String
    public var channels: String

    public init(id: String, host: String, startedAt: Date, rules: String, channels: String) {
        self.id = id
        self.host = host
        self.startedAt = startedAt
        self.rules = rules
        self.channels = channels
    }
}

public enum StoreNotice: String, Sendable, Equatable {
    /// Deliveries were planned: a dispatcher may claim them now instead of at its next poll.
    case deliveries
    /// A subscription was created, changed or deleted.
    case subscriptions
    /// The notices' connection was (re)established; anything may have changed meanwhile.
    case reconnected
}
