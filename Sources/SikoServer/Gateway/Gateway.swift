import CoreMetrics
import Foundation
import Logging
import Prometheus
import SikoChannels
import SikoConfig
import SikoDelivery
import SikoModel
import SikoStore
import Synchronization

/// Everything one running gateway holds, wired once: the rule engine (reference data, matching,
/// policies), the store, the channels and the dispatcher that drives them. Rules and channels can
/// be replaced while it runs (`reload`); everything else lives as long as the process.
public final class Gateway: Sendable {
    public let store: any Store
    public let engine: RuleEngine
    public let keys: KeyAuthority
    public let audit: AuditTrail
    public let intake: EventIntake
    public let dispatcher: Dispatcher
    public let metrics: PrometheusCollectorRegistry
    public let clock: any WallClock
    public let logger: Logger
    /// Requests per key; nil for no limit.
    public let rateLimiter: RateLimiter?
    /// Guards of the HTTP front besides keys: guesses per address, trusted proxies, the metrics token.
    public let access: AccessSettings
    /// Live subscriptions one partner may have; every one multiplies the deliveries of an event.
    public let maxSubscriptions: Int
    public static let defaultMaxSubscriptions = 10_000
    /// Checks the token on SMS delivery reports.
    public let receiptToken: ReceiptToken
    private let queueMetrics: QueueMetrics
    private let channels: ChannelHolder
    private let retired = Mutex<[ChannelSet]>([])

    /// `templates` is the folder of the email and SMS templates (`Channels/templates`); email and
    /// SMS are configured when their settings are present and the templates load.
    public init(
        rules: RuleSet, channelSettings: ChannelsConfiguration, store: any Store, templates: String? = nil,
        clock: any WallClock = SystemClock(), logger: Logger,
        dispatcherConfiguration: Dispatcher.Configuration = .init(), rateLimit: RateLimiter.Limit? = nil,
        access: AccessSettings = .init(), maxSubscriptions: Int = Gateway.defaultMaxSubscriptions
    ) async throws {
        rateLimiter = rateLimit.map(RateLimiter.init(limit:))
        self.access = access
        self.maxSubscriptions = maxSubscriptions
        self.store = store
        self.clock = clock
        self.logger = logger
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        metrics = registry
        queueMetrics = QueueMetrics(factory: factory)

        let engine = try await RuleEngine.load(rules: rules, store: store, now: clock.now())
        self.engine = engine
        // Kept in the store, so report URLs stay valid across restarts.
        let receiptToken = ReceiptToken(secret: try await store.secret(named: "sms-receipts") {
            var generator = SystemRandomNumberGenerator()
            return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        })
        self.receiptToken = receiptToken
        let channelSet = try ChannelSet(
            settings: channelSettings, templates: templates, reference: rules.reference, clock: clock, receiptToken: receiptToken
        )
        let channels = ChannelHolder(channelSet)
        self.channels = channels
        let notifier = PartnerNotifier(engine: engine, channels: channels, clock: clock, logger: logger)
        let audit = AuditTrail(store: store, clock: clock)
        self.audit = audit
        dispatcher = Dispatcher(
            store: store, routes: channelSet.routes, configuration: dispatcherConfiguration, clock: clock, logger: logger,
            metrics: factory, onSubscriptionDisabled: { id, reason in
                engine.remove(id: id)
                let subscription: Subscription?
                do { subscription = try await store.subscription(id: id) } catch {
                    logger.error("cannot read a disabled subscription", metadata: ["subscription": "\(id)", "error": "\(error)"])
                    return
                }
                guard let subscription else { return }
                do { try await audit.record(partner: subscription.partner, actor: "system", .subscriptionDisable, object: id, detail: reason) } catch {
                    logger.error("cannot audit a disabled subscription", metadata: ["subscription": "\(id)", "error": "\(error)"])
                }
                await notifier.tell(disabled: subscription, reason: reason)
            }
        )
        keys = KeyAuthority(store: store, partners: { engine.reference }, clock: clock)
        intake = EventIntake(
            engine: engine, store: store, planner: DeliveryPlanner(), wake: dispatcher.wake,
            clock: clock, accepted: Counter(label: "siko_events_accepted_total", factory: factory),
            decisions: PolicyMetrics(factory: factory)
        )
    }

    public var reference: ReferenceData { engine.reference }
    public var channelSettings: ChannelsConfiguration { channels.current.withLock { $0.settings } }
    /// Channels with a working adapter; subscriptions to others are refused.
    public var configuredChannels: Set<ChannelKind> { channels.current.withLock { Set($0.routes.keys) } }

    public var subscriptionValidator: SubscriptionValidator {
        let channels = channels.current.withLock { $0 }
        return SubscriptionValidator(
            reference: reference, targets: TargetRules(outbound: channels.settings.outboundPolicy), channels: Set(channels.routes.keys)
        )
    }

    /// Puts new rules and channels in force together, or neither: a template that does not load
    /// leaves everything as it was. Sends in flight finish on the old channels, which close once
    /// their timeout has passed and are then let go, so reloads do not pile up connections.
    public func reload(rules: RuleSet, channelSettings: ChannelsConfiguration, templates: String?) throws {
        let fresh = try ChannelSet(
            settings: channelSettings, templates: templates, reference: rules.reference, clock: clock, receiptToken: receiptToken
        )
        engine.replace(rules: rules)
        let old = channels.current.withLock { current in
            defer { current = fresh }
            return current
        }
        dispatcher.replace(routes: fresh.routes)
        retired.withLock { $0.append(old) }
        let grace = old.longestTimeout + .seconds(5)
        let logger = logger
        Task {
            try? await Task.sleep(for: grace)
            await old.shutdown(logger: logger)
            self.retired.withLock { $0.removeAll { $0 === old } }
        }
    }

    /// Channel sets replaced by a reload whose sends may still be in flight.
    var retiredChannelSets: Int { retired.withLock(\.count) }

    /// Reads the queue's depth and age into the metrics (before each scrape).
    public func refreshQueueMetrics() async throws {
        let now = clock.now()
        queueMetrics.record(try await store.queueStats(now: now), now: now)
    }

    /// Closes the channels' connections. Call once, after the dispatcher has stopped.
    public func shutdown() async {
        for set in retired.withLock({ $0 }) + [channels.current.withLock { $0 }] {
            await set.shutdown(logger: logger)
        }
    }
}

/// The channels in force; a reload swaps them.
final class ChannelHolder: Sendable {
    let current: Mutex<ChannelSet>
    init(_ set: ChannelSet) { current = Mutex(set) }
}
