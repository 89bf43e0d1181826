import CoreMetrics
import Crypto
import Foundation
import Logging
import Prometheus
import SikoCAP
import SikoChannels
import SikoConfig
import SikoDelivery
import SikoModel
import Synchronization

/// One running gateway, wired once: the rule engine, the channels, the dispatcher and the services
/// every front end calls. Front ends take the services they need, never the store. Rules and
/// channels can be replaced while it runs (`reload`); everything else lives as long as the process.
public final class Gateway: Sendable {
    public let engine: RuleEngine
    public let dispatcher: Dispatcher
    public let clock: any WallClock
    public let logger: Logger
    public let metrics: PrometheusCollectorRegistry
    /// The fingerprints of the `Rules/` and `Channels/` in force, on `/metrics`.
    public let configurationInfo: ConfigurationInfo

    public let publishing: PublishingService
    public let explaining: ExplainService
    public let bulletins: BulletinService
    public let subscriptions: SubscriptionService
    public let testNotifications: TestNotificationService
    public let deliveries: DeliveryService
    public let receipts: ReceiptIntake
    public let keys: KeyService
    public let authority: KeyAuthority
    public let users: UserService
    public let signIn: SignInService
    public let audit: AuditService
    public let operations: OperationsService
    public let overview: OverviewService
    /// Signed requests seen, for the replay check of the API's front.
    public let replays: any ReplayMemory

    public static let defaultMaxSubscriptions = 10_000
    let store: any Store
    let receiptToken: ReceiptToken
    /// Events as CAP alerts, for the API and for webhooks that ask for CAP; kept across reloads.
    let capWriter: CAPWriter
    private let channels: ChannelHolder
    private let retired = Mutex<[ChannelSet]>([])

    /// `templates` is the folder of the email and SMS templates (`Channels/templates`); email and
    /// SMS are configured when their settings are present and the templates load.
    public init(
        rules: RuleSet, channelSettings: ChannelsConfiguration, store: any Store, sealer: SecretSealer, templates: String? = nil,
        clock: any WallClock = SystemClock(), logger: Logger, dispatcherConfiguration: Dispatcher.Configuration = .init(),
        maxSubscriptions: Int = Gateway.defaultMaxSubscriptions, signInPolicy: SignInPolicy = .init(), passwords: PasswordHasher = .standard,
        cap: CAPWriter? = nil
    ) async throws {
        let links = channelSettings.email?.options.links ?? Links(publicURL: Links.defaultPublicURL)
        let capWriter = cap ?? CAPWriter(sender: CAPWriter.sender(configured: ProcessInfo.processInfo.environment["SIKO_CAP_SENDER"], publicURL: links.base), links: links)
        self.clock = clock
        self.logger = logger
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        metrics = registry
        configurationInfo = ConfigurationInfo(registry: registry)

        let engine = try await RuleEngine.load(rules: rules, store: store, now: clock.now())
        self.engine = engine
        // Kept in the store, so report URLs stay valid across restarts.
        let receiptToken = ReceiptToken(secret: try await sealer.secret(named: "sms-receipts", in: store) {
            var generator = SystemRandomNumberGenerator()
            return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        })
        self.receiptToken = receiptToken
        self.capWriter = capWriter
        let channelSet = try ChannelSet(
            settings: channelSettings, templates: templates, reference: rules.reference, clock: clock, receiptToken: receiptToken,
            capWriter: capWriter
        )
        let channels = ChannelHolder(channelSet)
        self.channels = channels
        let notifier = PartnerNotifier(engine: engine, channels: channels, clock: clock, logger: logger)
        let dispatcher = Dispatcher(
            store: store, routes: channelSet.routes, configuration: dispatcherConfiguration, clock: clock, logger: logger,
            metrics: factory, onSubscriptionDisabled: { id, reason in
                engine.remove(id: id)
                do {
                    guard let subscription = try await store.subscription(id: id) else { return }
                    await notifier.tell(disabled: subscription, reason: reason)
                } catch {
                    logger.error("cannot read a disabled subscription", metadata: ["subscription": "\(id)", "error": "\(error)"])
                }
            }
        )
        self.dispatcher = dispatcher
        let keyCache = KeyCache()
        authority = KeyAuthority(store: store, partners: { engine.reference }, clock: clock, cache: keyCache)
        keys = KeyService(store: store, partners: { engine.reference }, clock: clock, cache: keyCache)
        users = UserService(store: store, partners: { engine.reference }, passwords: passwords, clock: clock, cache: keyCache)
        Task.detached(priority: .background) { await passwords.prepare() }
        // Kept in the store like the receipt token, so a sign-in's second step may reach another gateway.
        let challengeKey = SymmetricKey(data: try await sealer.secret(named: "sign-in-challenges", in: store) {
            var generator = SystemRandomNumberGenerator()
            return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        })
        signIn = SignInService(store: store, passwords: passwords, policy: signInPolicy, challengeKey: challengeKey, clock: clock)
        publishing = PublishingService(
            engine: engine, events: store, deliveries: store, audit: store, wake: dispatcher.wake, handoff: dispatcher, clock: clock,
            accepted: Counter(label: "siko_events_accepted_total", factory: factory), decisions: PolicyMetrics(factory: factory),
            sharedStore: store is any StoreChanges, capWriter: capWriter
        )
        explaining = ExplainService(engine: engine, clock: clock)
        bulletins = BulletinService(
            store: store, publishing: publishing, explaining: explaining, engine: engine,
            previewer: { channels.current.withLock { $0.previewer } }, clock: clock
        )
        subscriptions = SubscriptionService(
            store: store, engine: engine,
            validator: {
                let set = channels.current.withLock { $0 }
                return SubscriptionValidator(
                    reference: engine.reference, targets: TargetRules(outbound: set.settings.outboundPolicy), channels: Set(set.routes.keys)
                )
            },
            outbound: {
                let settings = channels.current.withLock { $0.settings }
                return OutboundGuard(policy: settings.outboundPolicy, dnsTimeout: settings.webhook.options.dnsTimeout)
            },
            maxPerPartner: maxSubscriptions, clock: clock
        )
        testNotifications = TestNotificationService(
            subscriptions: store, events: store, reference: { engine.reference }, wake: dispatcher.wake, clock: clock
        )
        deliveries = DeliveryService(log: store, subscriptions: store, events: store, wake: dispatcher.wake, clock: clock)
        receipts = ReceiptIntake(store: store, token: receiptToken, clock: clock)
        audit = AuditService(log: store)
        operations = OperationsService(health: store, queue: store, metrics: QueueMetrics(factory: factory), clock: clock)
        overview = OverviewService(
            events: store, deliveries: store, subscriptions: store, breakers: { [dispatcher] in dispatcher.openBreakers() }, clock: clock
        )
        replays = store
        self.store = store
    }

    /// Retention on this gateway's store.
    public func retention(age: Duration) -> Retention { Retention(age: age, store: store, people: store, clock: clock) }

    /// Console sessions, for the session middleware's persist driver.
    public var sessions: any SessionStore { store }

    public var reference: ReferenceData { engine.reference }
    public var channelSettings: ChannelsConfiguration { channels.current.withLock { $0.settings } }
    /// Channels with a working adapter; subscriptions to others are refused.
    public var configuredChannels: Set<ChannelKind> { channels.current.withLock { Set($0.routes.keys) } }

    /// Puts new rules and channels in force together, or neither: a template that does not load
    /// leaves everything as it was. Sends in flight finish on the old channels, which close once
    /// their timeout has passed and are then let go, so reloads do not pile up connections.
    public func reload(rules: RuleSet, channelSettings: ChannelsConfiguration, templates: String?) throws {
        let fresh = try ChannelSet(
            settings: channelSettings, templates: templates, reference: rules.reference, clock: clock, receiptToken: receiptToken,
            capWriter: capWriter
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
