import Foundation
import SikoModel
import Testing

@Suite("Store contract: retention purge")
struct PurgeContractTests {
    @Test("old finished events lose their texts and targets; open ones and SMS still awaiting a report keep them; counts and states stay",
          arguments: StoreEngine.allCases)
    func purge(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let now = t0, cutoff = t0.plus(-30 * day), old = t0.plus(-40 * day)
            let hook = subscription("sub_hook", at: old), sms = subscription("sub_sms", channel: .sms, at: old)
            let goneLong = subscription("sub_gone_long", at: old), goneLately = subscription("sub_gone_lately", at: old)
            try await store.add(hook, sms, goneLong, goneLately)
            try await store.deleteSubscription(id: goneLong.id, at: old, audit: record(.subscriptionDelete, goneLong.id, at: old))
            try await store.deleteSubscription(id: goneLately.id, at: now.plus(-day), audit: record(.subscriptionDelete, goneLately.id, at: now.plus(-day)))

            // Finished long ago: a webhook delivered after one failure.
            let finished = try await store.publish([.to(hook)], at: old)
            let failure = try #require(try await store.claim(at: old).first)
            try await store.finish(failure, .retry(after: nil, reason: "HTTP 503 from Max Mustermann's server"), at: old)
            _ = try await store.sendAll(.delivered, at: old.plus(3600))
            // Old but still waiting for its retry.
            let open = try await store.publish([.to(hook, due: now.plus(3600))], at: old.plus(1))
            // Old SMS: one sent 10 days ago (its report window is over), one sent 2 days ago (a report may still come).
            let reportOver = try await store.publish([.to(sms, due: now.plus(-10 * day))], at: old.plus(2))
            _ = try await store.sendAll(.sent, on: .sms, at: now.plus(-10 * day))
            _ = try await store.recordReceipt(Receipt(deliveryId: reportOver.deliveryIds[0], report: .acceptedBySMSC, detail: "ACK/ to +4917012345678", receivedAt: now.plus(-10 * day)))
            let reportDue = try await store.publish([.to(sms, due: now.plus(-2 * day))], at: old.plus(3))
            _ = try await store.sendAll(.sent, on: .sms, at: now.plus(-2 * day))
            // Finished, but younger than the cutoff.
            let young = try await store.publish([.to(hook, due: now.plus(-day))], at: now.plus(-day))
            _ = try await store.sendAll(.delivered, at: now.plus(-day))
            let before = try await store.trail().count

            let counts = try await store.purge(before: cutoff, at: now) { counts in
                record(.dataPurge, "before cutoff", detail: "\(counts.events) events, \(counts.deliveries) deliveries, \(counts.subscriptions) subscriptions", at: now)
            }
            #expect(counts.figures == [2, 2, 1])
            #expect(try await store.trail().dropFirst(before).map(\.record) == [
                record(.dataPurge, "before cutoff", detail: "2 events, 2 deliveries, 1 subscriptions", at: now),
            ])

            for purged in [finished, reportOver] {
                let event = try #require(try await store.event(id: purged.eventId))
                #expect(event.title.isEmpty && event.body == nil && event.data == nil && event.purgedAt == now)
                let delivery = try #require(try await store.delivery(id: purged.deliveryIds[0]))
                #expect(delivery.target.isEmpty && delivery.lastError == nil)
                #expect(try await store.attempts(deliveryID: delivery.id).allSatisfy { $0.error == nil })
            }
            #expect(try await store.attempts(deliveryID: finished.deliveryIds[0]).map(\.status) == [.failed, .delivered], "the record of attempts stays")
            #expect(try await store.deliveryCounts(eventID: finished.eventId) == [.delivered: 1])
            #expect(try await store.receipts(deliveryID: reportOver.deliveryIds[0]).map(\.detail) == [nil])
            for kept in [open, reportDue, young] {
                let event = try #require(try await store.event(id: kept.eventId))
                #expect(event.title == "Kontrolle am Hauptbahnhof" && event.body != nil && event.purgedAt == nil)
                #expect(try await store.delivery(id: kept.deliveryIds[0])?.target.isEmpty == false)
            }

            let again = try await store.purge(before: cutoff, at: now.plus(1)) { _ in record(.dataPurge, "again") }
            #expect(again.figures == [0, 0, 0])
            #expect(try await store.trail().count == before + 1, "a purge that removed nothing is not audited")
        }
    }
}
