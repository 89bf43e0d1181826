import Foundation
import SikoModel
import SikoTestSupport
import Testing

@Suite("Test notifications: one marked event, one delivery, no policy")
struct TestNoticeTests {
    let now = utc("2026-11-24T22:30:00Z")

    func lagedienst(language: Language = .de, topics: [String] = ["geldwaesche", "razzia"]) -> Subscription {
        var subscription = SikoTestSupport.subscription(
            id: "sub_1", partner: "polizei-essen", areas: ["essen", "muelheim-an-der-ruhr"], topics: topics, minUrgency: .high,
            channel: .sms, target: "+4920112345678"
        )
        subscription.name = "Lagedienst PP Essen"
        subscription.language = language
        return subscription
    }

    @Test("the event is marked test, routed like the subscription's own events, and says in German that nothing is to be done")
    func german() {
        let notice = TestNotice(to: lagedienst(), fallbackTopic: "lagebild", now: now)
        let event = notice.event
        #expect(event.test && !event.exercise)
        #expect(event.publisher == "polizei-essen" && event.topic == "geldwaesche" && event.urgency == .high)
        #expect(event.areas == ["essen", "muelheim-an-der-ruhr"] && event.classification == .public && event.externalId == nil)
        #expect(event.publishedAt == now && event.expiresAt == nil)
        #expect(event.title == "Test des Abonnements \"Lagedienst PP Essen\"")
        #expect(event.body == "Dies ist eine Testnachricht des SiKo Gateways für das Abonnement \"Lagedienst PP Essen\". Sie prüft nur den Zustellweg; es ist nichts zu tun.")
        #expect(SMSText.encoding(of: event.body ?? "") == .gsm7, "an SMS keeps its 160 characters")
    }

    @Test("English subscribers read English; a subscription to every topic takes the fallback")
    func english() {
        let notice = TestNotice(to: lagedienst(language: .en, topics: []), fallbackTopic: "lagebild", now: now)
        #expect(notice.event.title == "Test of the subscription \"Lagedienst PP Essen\"")
        #expect(notice.event.body?.contains("no action is needed") == true)
        #expect(notice.event.topic == "lagebild")
    }

    @Test("its one delivery goes to the subscription's target now, in full, decided by no rule")
    func delivery() {
        let subscription = lagedienst()
        let notice = TestNotice(to: subscription, fallbackTopic: "lagebild", now: now)
        let delivery = notice.delivery
        #expect(delivery.eventId == notice.event.id && delivery.subscriptionId == "sub_1" && delivery.partner == "polizei-essen")
        #expect(delivery.channel == .sms && delivery.target == "+4920112345678")
        #expect(delivery.status == .pending && delivery.nextAttemptAt == now && delivery.attempts == 0)
        #expect(delivery.content == .full && delivery.rule == nil && delivery.lastError == nil)
        #expect(DeliveryPlanner().plan(test: notice.event, to: subscription, now: now).status == .pending)
    }
}
