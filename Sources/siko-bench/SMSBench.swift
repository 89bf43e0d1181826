import Foundation
import SikoChannels
import SikoConfig
import SikoModel
import SikoTestSupport

/// SMS per second through a real Kannel (`immediate-sendsms-reply = true`) to its fake SMSC:
/// how fast Kannel takes them, and how fast they reach the SMSC.
struct SMSBench {
    let rules: String

    func run() async throws {
        print("sms (SMSChannel to a local Kannel with its fake SMSC, 8 at once, one segment each)")
        guard KannelHarness.available else {
            report("kannel not installed", "skipped (make deps installs kannel and kannel-extras)")
            return
        }
        let reference = try RulesLoader(directory: rules).load().reference
        let templates = try SMSTemplates.load(directory: "Channels/templates")
        try await KannelHarness.with { kannel in
            let options = SMSOptions(
                url: kannel.sendsmsURL, from: "SiKoRuhr", user: "siko", password: "geheim", links: Links(publicURL: "https://siko.example"),
                maxSegments: 1, allowPrivateTargets: [CIDR("127.0.0.0/8")!]
            )
            let channel = SMSChannel(
                options: options, templates: templates, reference: reference, gateway: KannelGateway(options: options, timeout: .seconds(30))
            )
            let count = 2000
            let start = ContinuousClock.now
            let failed = await sendConcurrently(count: count, workers: 8) { await channel.send(Self.job()).outcome == .sent }
            let accepted = elapsed(since: start)
            _ = try await kannel.waitForMessages(count, timeout: .seconds(120))
            let arrived = elapsed(since: start)
            try await channel.shutdown()
            report("accepted by Kannel", String(format: "%.0f SMS/s  (%d in %.2f s, %d failed)", Double(count) / accepted, count, accepted, failed))
            report("arrived at the fake SMSC", String(format: "%.0f SMS/s  (%d of %d in %.2f s)", Double(kannel.received().count) / arrived, kannel.received().count, count, arrived))
        }
    }

    static func job() -> DeliveryJob {
        let now = Date()
        let event = Event(
            id: Identifier.make("evt"), externalId: nil, publisher: "stadt-essen", topic: "razzia", urgency: .high, areas: ["essen"],
            title: "Großkontrolle Altendorfer Straße", body: nil, classification: .public, publishedAt: now, expiresAt: nil, data: nil
        )
        let delivery = Delivery(
            id: Identifier.make("dlv"), eventId: event.id, subscriptionId: "sub_1", partner: "stadt-essen", channel: .sms,
            target: "+4917012345678", status: .sending, attempts: 1, nextAttemptAt: nil, createdAt: now, updatedAt: now
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: .de)
    }
}
