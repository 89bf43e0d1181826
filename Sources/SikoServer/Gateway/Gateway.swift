import CoreMetrics
import Foundation
import Logging
import Prometheus
import SikoChannels
import SikoConfig
import SikoDelivery
import SikoModel
import SikoStore

/// Everything one running gateway holds, wired once: reference data, the store, the matching
/// directory, the channels and the dispatcher that drives them.
public final class Gateway: Sendable {
    public let reference: ReferenceData
    public let channelSettings: ChannelsConfiguration
    public let store: any Store
    public let directory: SubscriptionDirectory
    public let keys: KeyAuthority
    public let intake: EventIntake
    public let dispatcher: Dispatcher
    public let metrics: PrometheusCollectorRegistry
    public let clock: any WallClock
    public let logger: Logger
    /// Channels with a working adapter; subscriptions to others are refused.
    public let configuredChannels: Set<ChannelKind>
    /// Checks the token on SMS delivery reports.
    public let receiptToken: ReceiptToken
    private let channels: [any Channel]

    /// `templates` is the folder of the email templates (`Channels/templates`); email is
    /// configured when `channelSettings.email` is present and the templates load.
    public init(
        reference: ReferenceData, channelSettings: ChannelsConfiguration, store: any Store, templates: String? = nil,
        clock: any WallClock = SystemClock(), logger: Logger,
        dispatcherConfiguration: Dispatcher.Configuration = .init()
    ) async throws {
        self.reference = reference
        self.channelSettings = channelSettings
        self.store = store
        self.clock = clock
        self.logger = logger
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        metrics = registry

        let directory = SubscriptionDirectory(reference: reference, subscriptions: try await store.activeSubscriptions())
        self.directory = directory

        let webhookSettings = channelSettings.webhook
        let webhook = WebhookChannel(
            settings: .init(timeout: webhookSettings.timeout, concurrency: webhookSettings.concurrency, outbound: channelSettings.outboundPolicy),
            clock: clock
        )
        var channels: [any Channel] = [webhook]
        var routes: [ChannelKind: ChannelRoute] = [
            .webhook: ChannelRoute(channel: webhook, retrySchedule: webhookSettings.retrySchedule, timeout: webhookSettings.timeout),
        ]
        if let emailSettings = channelSettings.email, let templates {
            let email = try EmailChannel(
                settings: EmailChannel.Settings(options: emailSettings), templates: EmailTemplates.load(directory: templates),
                reference: reference, clock: clock
            )
            channels.append(email)
            routes[.email] = ChannelRoute(channel: email, retrySchedule: emailSettings.retrySchedule, timeout: emailSettings.timeout)
        }
        // Kept in the store, so report URLs stay valid across restarts.
        let receiptToken = ReceiptToken(secret: try await store.secret(named: "sms-receipts") {
            var generator = SystemRandomNumberGenerator()
            return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        })
        self.receiptToken = receiptToken
        if let smsSettings = channelSettings.sms, let templates {
            let sms = try SMSChannel(
                options: smsSettings, templates: SMSTemplates.load(directory: templates), reference: reference, receiptToken: receiptToken
            )
            channels.append(sms)
            routes[.sms] = ChannelRoute(channel: sms, retrySchedule: smsSettings.retrySchedule, timeout: smsSettings.timeout)
        }
        self.channels = channels
        configuredChannels = Set(routes.keys)
        var dispatcherConfiguration = dispatcherConfiguration
        let concurrency = routes.keys.compactMap { channelSettings.settings(for: $0)?.concurrency }.reduce(0, +)
        dispatcherConfiguration.maxInFlight = min(dispatcherConfiguration.maxInFlight, concurrency)
        dispatcher = Dispatcher(
            store: store, routes: routes, configuration: dispatcherConfiguration, clock: clock, logger: logger,
            metrics: factory, onSubscriptionDisabled: { directory.remove(id: $0) }
        )
        keys = KeyAuthority(store: store, reference: reference, clock: clock)
        intake = EventIntake(
            reference: reference, store: store, directory: directory, planner: DeliveryPlanner(), wake: dispatcher.wake,
            clock: clock, accepted: Counter(label: "siko_events_accepted_total", factory: factory)
        )
    }

    public var subscriptionValidator: SubscriptionValidator {
        SubscriptionValidator(reference: reference, targets: TargetRules(outbound: channelSettings.outboundPolicy), channels: configuredChannels)
    }

    /// Closes the channels' connections. Call once, after the dispatcher has stopped.
    public func shutdown() async {
        for channel in channels {
            do { try await channel.shutdown() } catch { logger.warning("closing a channel failed", metadata: ["error": "\(error)"]) }
        }
    }
}
