import Foundation
import Logging
import SikoChannels
import SikoModel

/// Tells a partner when the gateway disabled one of its subscriptions (410 Gone, or failing for days).
struct PartnerNotifier: Sendable {
    let engine: RuleEngine
    let channels: ChannelHolder
    let clock: any WallClock
    let logger: Logger

    /// Writes to the partner's `contact` (from `Rules/partners.yaml`) that a subscription was
    /// disabled and why, when email is configured; otherwise the log is all there is.
    func tell(disabled subscription: Subscription, reason: String) async {
        let id = subscription.id
        let email = channels.current.withLock { $0.routes[.email]?.channel as? EmailChannel }
        let partner = engine.reference.partner(subscription.partner)
        guard let contact = partner?.contact, let email else {
            logger.warning("subscription disabled; no partner contact or email channel to tell", metadata: [
                "subscription": "\(id)", "partner": "\(subscription.partner)",
            ])
            return
        }
        let notice = SubscriptionNotice(
            subscription: subscription, partnerName: partner?.name ?? subscription.partner, reason: reason, at: clock.now(),
            link: email.links.subscription(id)
        )
        let report = await email.sendNotice(to: contact, subject: notice.subject, text: notice.text, id: Identifier.make("ntc", at: clock.now()))
        if case .sent = report.outcome {
            logger.notice("partner told of a disabled subscription", metadata: ["subscription": "\(id)", "partner": "\(subscription.partner)"])
        } else {
            logger.error("telling the partner of a disabled subscription failed", metadata: ["subscription": "\(id)", "outcome": "\(report.outcome)"])
        }
    }
}
