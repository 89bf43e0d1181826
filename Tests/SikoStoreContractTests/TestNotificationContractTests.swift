import Foundation
import SikoModel
import Testing

@Suite("Store contract: test notifications")
struct TestNotificationContractTests {
    @Test("a test notification is stored and claimed like any event, marked test, and its send seeds no flood limit", arguments: StoreEngine.allCases)
    func stored(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let sms = subscription("sub_sms", channel: .sms)
            try await store.add(sms)
            let notice = TestNotice(to: sms, fallbackTopic: "lagebild", now: t0)
            let audit = record(.subscriptionTest, sms.id, detail: notice.delivery.id, at: t0)
            let result = try await store.publish(PublishRequest(event: notice.event, idempotencyKey: nil, deliveries: [notice.delivery], audit: audit))
            #expect(result == PublishResult(eventId: notice.event.id, deliveries: 1, duplicate: false))
            #expect(try await store.event(id: notice.event.id) == notice.event)
            #expect(try await store.event(id: notice.event.id)?.test == true)
            #expect(try await store.trail().last?.record == audit)

            let real = try await store.publish([.to(sms)], at: t0.plus(1))
            #expect(try await store.event(id: real.eventId)?.test == false)
            let sends = try await store.sends(channel: .sms, since: t0)
            #expect(sends.map(\.at) == [t0.plus(1)], "only the real event's delivery counts toward a flood limit")

            let jobs = try await store.claim(.sms, at: t0.plus(2))
            let test = try #require(jobs.first { $0.delivery.id == notice.delivery.id })
            #expect(test.event.test && test.delivery.target == sms.target && test.language == sms.language)
        }
    }
}
