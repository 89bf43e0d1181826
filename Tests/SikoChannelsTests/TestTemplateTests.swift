import SikoTestSupport
import Foundation
import SikoModel
import Testing
@testable import SikoChannels

/// A test notification in the shipped templates and the webhook body: marked TESTNACHRICHT first,
/// in German and English, saying whose subscription it tests and that nothing is to be done.
@Suite("Test notifications in the shipped templates")
struct TestTemplateTests {
    let templates = Repository.channels + "/templates"

    func job(_ language: Language, channel: ChannelKind = .email) -> DeliveryJob {
        var subscription = SikoTestSupport.subscription(id: "sub_1", areas: ["essen"], topics: ["razzia"], channel: channel, target: "a@b.example")
        subscription.name = "Lagedienst PP Essen"
        subscription.language = language
        let notice = TestNotice(to: subscription, fallbackTopic: "lagebild", now: utc("2026-11-25T19:00:00Z"))
        var delivery = notice.delivery
        delivery.status = .sending
        return DeliveryJob(delivery: delivery, event: notice.event, secret: nil, language: language)
    }

    func context(_ job: DeliveryJob) -> MessageContext {
        MessageContext(job: job, reference: Repository.reference, links: Links(publicURL: "https://siko.example"))
    }

    @Test("email: TESTNACHRICHT in subject, first line and HTML, with the subscription's name; nothing of a real report")
    func email() throws {
        let email = try EmailTemplates.load(directory: templates)
        let german = email.render(context(job(.de)))
        #expect(german.subject == "TESTNACHRICHT – Test des Abonnements \"Lagedienst PP Essen\"")
        #expect(german.text.hasPrefix("*** TESTNACHRICHT – keine echte Lage ***"))
        #expect(german.text.contains("es ist nichts zu tun") && german.text.contains("Zeit: 25.11.2026, 20:00 Uhr"))
        #expect(german.html.contains(">TESTNACHRICHT – keine echte Lage</p>"))
        #expect(german.html.contains("Lagedienst PP Essen") && german.html.contains("es ist nichts zu tun"))
        for part in [german.text, german.html] {
            #expect(!part.contains("Dringlichkeit") && !part.contains("Thema"), "not laid out as a real report: \(part)")
        }
        #expect(!german.subject.contains("ÜBUNG") && !german.text.contains("ÜBUNG"))
        let english = email.render(context(job(.en)))
        #expect(english.subject == "TESTNACHRICHT (TEST MESSAGE) – Test of the subscription \"Lagedienst PP Essen\"")
        #expect(english.text.hasPrefix("*** TESTNACHRICHT (TEST MESSAGE) – not a real incident ***"))
        #expect(english.text.contains("no action is needed"))
    }

    @Test("SMS: starts with TESTNACHRICHT, names the subscription, fits GSM-7", arguments: Language.allCases)
    func sms(language: Language) throws {
        let sms = try SMSTemplates.load(directory: templates)
        let text = sms.render(context(job(language, channel: .sms)))
        #expect(text.hasPrefix(language == .de ? "TESTNACHRICHT: Dies ist eine Testnachricht" : "TESTNACHRICHT (TEST MESSAGE): This is a test message"))
        #expect(text.contains("\"Lagedienst PP Essen\""))
        #expect(text.contains("https://siko.example/meldungen/evt_"))
        #expect(SMSText.encoding(of: text) == .gsm7, "\(text)")
    }

    @Test("webhook: the event says test: true, with the title and body a receiver shows")
    func webhook() throws {
        let job = job(.de, channel: .webhook)
        let body = try WebhookPayload.body(deliveryId: job.delivery.id, subscriptionId: "sub_1", eventJSON: try WebhookPayload.eventJSON(job.event))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["type"] as? String == "event.published")
        let event = try #require(object["event"] as? [String: Any])
        #expect(event["test"] as? Bool == true && event["exercise"] as? Bool == false)
        #expect(event["title"] as? String == "Test des Abonnements \"Lagedienst PP Essen\"")
        #expect((event["body"] as? String)?.hasSuffix("es ist nichts zu tun.") == true)
    }
}
