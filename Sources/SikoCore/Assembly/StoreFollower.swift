import Foundation
import Logging
import ServiceLifecycle
import SikoDelivery
import SikoModel

/// Keeps a gateway in step with the others on a shared store: planned deliveries wake its
/// dispatcher at once, and its match index follows subscriptions changed through any gateway,
/// by notice and by a catch-up every `catchUp` that compares the store's version, so a notice
/// missed while the connection was away heals within that time; and tells the others it is alive
/// (`GatewayRoster`), so the installation's limits are divided among the gateways that are.
public struct StoreFollower: Service {
    let changes: any StoreChanges
    let subscriptions: any SubscriptionStore
    let engine: RuleEngine
    let wake: WakeSignal
    let catchUp: Duration
    let roster: GatewayRoster
    let logger: Logger

    init(
        changes: any StoreChanges, subscriptions: any SubscriptionStore, engine: RuleEngine, wake: WakeSignal, catchUp: Duration,
        roster: GatewayRoster, logger: Logger
    ) {
        self.changes = changes
        self.roster = roster
        self.subscriptions = subscriptions
        self.engine = engine
        self.wake = wake
        self.catchUp = catchUp
        self.logger = logger
    }

    public func run() async throws {
        let index = IndexFollower(changes: changes, subscriptions: subscriptions, engine: engine, logger: logger)
        // Not cancelled with the others: on graceful shutdown it ends by itself, after withdrawing.
        async let rostered: Void = roster.run()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await notice in changes.notices() {
                    switch notice {
                    case .deliveries: wake.signal(.store)
                    case .subscriptions, .reconnected: await index.follow()
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    await index.follow()
                    do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: catchUp) } } catch { return }
                }
            }
            await group.next()
            group.cancelAll()
        }
        await rostered
    }
}

/// Reloads the match index when the store's subscriptions version moved; one reload at a time.
actor IndexFollower {
    private let changes: any StoreChanges
    private let subscriptions: any SubscriptionStore
    private let engine: RuleEngine
    private let logger: Logger
    private var seen: String?

    init(changes: any StoreChanges, subscriptions: any SubscriptionStore, engine: RuleEngine, logger: Logger) {
        self.changes = changes
        self.subscriptions = subscriptions
        self.engine = engine
        self.logger = logger
    }

    func follow() async {
        do {
            let version = try await changes.subscriptionsVersion()
            guard version != seen else { return }
            // Read after the version: a change between the two shows as a new version next time.
            engine.replace(subscriptions: try await subscriptions.activeSubscriptions())
            if seen != nil { logger.debug("followed subscriptions changed on the shared store", metadata: ["version": "\(version)"]) }
            seen = version
        } catch {
            logger.warning("reading the shared store's subscriptions failed; the match index is kept", metadata: ["error": "\(error)"])
        }
    }
}

extension Gateway {
    /// What keeps this gateway in step with others on its store; nil for a store of its own (SQLite).
    public func follower(catchUp: Duration = .seconds(1)) -> StoreFollower? {
        guard let changes = store as? any StoreChanges else { return nil }
        let roster = GatewayRoster(
            changes: changes, dispatcher: dispatcher, configuration: configurationInfo, metrics: metrics, startedAt: clock.now(), logger: logger
        )
        return StoreFollower(
            changes: changes, subscriptions: store, engine: engine, wake: dispatcher.wake, catchUp: catchUp, roster: roster, logger: logger
        )
    }
}
