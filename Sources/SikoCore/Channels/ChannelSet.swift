import Logging
import SikoCAP
import SikoChannels
import SikoConfig
import SikoDelivery
import SikoModel
import Synchronization

/// The channel adapters built from one reading of `Channels/`. A reload builds a new set and
/// retires the old one once its sends in flight have had their timeout to finish.
final class ChannelSet: Sendable {
    let settings: ChannelsConfiguration
    let routes: [ChannelKind: ChannelRoute]
    /// Email and SMS as they would read, for previews; nil without templates.
    let previewer: MessagePreviewer?
    private let channels: [any Channel]
    private let closed = Atomic<Bool>(false)

    /// Email and SMS are configured when their file is present and `templates` (`Channels/templates`) loads.
    init(
        settings: ChannelsConfiguration, templates: String?, reference: ReferenceData, clock: any WallClock, receiptToken: ReceiptToken,
        capWriter: CAPWriter
    ) throws {
        // Everything that can fail comes first, so a bad template leaves no connection behind.
        let emailTemplates = try settings.email.flatMap { _ in try templates.map(EmailTemplates.load(directory:)) }
        let smsTemplates = try settings.sms.flatMap { _ in try templates.map(SMSTemplates.load(directory:)) }
        let webhookSettings = settings.webhook
        let webhook = WebhookChannel(
            settings: .init(
                options: webhookSettings.options, timeout: webhookSettings.timeout, concurrency: webhookSettings.concurrency,
                cap: CAPPayload(writer: capWriter, reference: reference)
            ),
            clock: clock
        )
        var channels: [any Channel] = [webhook]
        var routes: [ChannelKind: ChannelRoute] = [
            .webhook: Self.route(webhook, webhookSettings),
        ]
        if let emailSettings = settings.email, let emailTemplates {
            let email = EmailChannel(
                settings: .init(options: emailSettings.options, timeout: emailSettings.timeout, concurrency: emailSettings.concurrency),
                templates: emailTemplates, reference: reference, clock: clock
            )
            channels.append(email)
            routes[.email] = Self.route(email, emailSettings)
        }
        if let smsSettings = settings.sms, let smsTemplates {
            let sms = SMSChannel(
                options: smsSettings.options, receiptToken: receiptToken, templates: smsTemplates, reference: reference,
                gateway: KannelGateway(options: smsSettings.options, timeout: smsSettings.timeout)
            )
            channels.append(sms)
            routes[.sms] = Self.route(sms, smsSettings)
        }
        // Also when email and SMS are not configured here: a bulletin's readers may receive either.
        previewer = templates.flatMap { directory in
            try? MessagePreviewer(
                templates: directory, reference: reference,
                emailLinks: settings.email?.options.links ?? Links(publicURL: Links.defaultPublicURL),
                smsLinks: settings.sms?.options.links ?? Links(publicURL: Links.defaultPublicURL),
                smsMaxSegments: settings.sms?.options.maxSegments ?? 3
            )
        }
        self.settings = settings
        self.routes = routes
        self.channels = channels
    }

    private static func route<Options>(_ channel: any Channel, _ settings: ChannelSettings<Options>) -> ChannelRoute {
        ChannelRoute(
            channel: channel, retrySchedule: settings.retrySchedule, timeout: settings.timeout, concurrency: settings.concurrency,
            perTarget: settings.perTargetConcurrency, breaker: settings.breaker, disableAfter: settings.disableAfter
        )
    }

    /// The longest time a send on these channels may take.
    var longestTimeout: Duration { routes.values.map(\.timeout).max() ?? .seconds(30) }

    /// Closes the connections, once.
    func shutdown(logger: Logger) async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        for channel in channels {
            do { try await channel.shutdown() } catch { logger.warning("closing a channel failed", metadata: ["error": "\(error)"]) }
        }
    }
}
