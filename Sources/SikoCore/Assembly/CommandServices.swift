import Foundation
import SikoDelivery
import SikoModel

/// The services a command-line command calls on a store it opened, without channels or a
/// dispatcher: the same rules as the API, for the operator.
public struct CommandServices: Sendable {
    let store: any Store
    let clock: any WallClock

    public init(store: any Store, clock: any WallClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// `partners` are the ones keys may be issued for; listing and revoking need none.
    public func keys(partners: (@Sendable () -> ReferenceData)? = nil) -> KeyService {
        KeyService(store: store, partners: partners, clock: clock)
    }

    public var audit: AuditService { AuditService(log: store) }

    /// `partners` are the ones users may be created for; the other commands need none.
    public func users(partners: (@Sendable () -> ReferenceData)? = nil) -> UserService {
        UserService(store: store, partners: partners, clock: clock)
    }

    /// Nothing listens for the wake-up: no dispatcher runs beside a command.
    public var deliveries: DeliveryService {
        DeliveryService(log: store, subscriptions: store, events: store, wake: WakeSignal(), clock: clock)
    }

    public func retention(age: Duration) -> Retention { Retention(age: age, store: store, people: store, clock: clock) }

    /// The dry run on the store's subscriptions and the policies' memory.
    public func explaining(rules: RuleSet) async throws -> ExplainService {
        ExplainService(engine: try await RuleEngine.load(rules: rules, store: store, now: clock.now()), clock: clock)
    }
}
