import Foundation

/// The message a partner gets when the gateway disables one of its subscriptions: what, why,
/// and how to turn it back on. German first, English below, as everything people read.
public struct SubscriptionNotice: Sendable, Equatable {
    public var subject: String
    public var text: String

    public init(subscription: Subscription, partnerName: String, reason: String, at date: Date, link: String) {
        let time = GatewayCalendar.wallTime(date, language: .de)
        subject = "SiKo: Abonnement deaktiviert – \(subscription.name) / Subscription disabled"
        text = """
            Guten Tag \(partnerName),

            das SiKo Gateway hat Ihr Abonnement „\(subscription.name)“ am \(time) deaktiviert.

            Abonnement: \(subscription.id)
            Kanal: \(subscription.channel.rawValue), Ziel: \(subscription.target)
            Grund: \(reason)

            Solange es deaktiviert ist, erhält dieses Ziel keine Meldungen. Bitte prüfen Sie den
            Empfänger und schalten Sie das Abonnement wieder ein (PATCH \(link) mit {"enabled": true}).

            ---

            The SiKo Gateway disabled your subscription "\(subscription.name)" (\(subscription.id),
            \(subscription.channel.rawValue) to \(subscription.target)) at \(time).
            Reason: \(reason)
            It receives nothing until it is enabled again (PATCH \(link) with {"enabled": true}).

            --
            SiKo Gateway der Sicherheitskooperation Ruhr. Diese Nachricht wurde automatisch versandt.
            """
    }
}
