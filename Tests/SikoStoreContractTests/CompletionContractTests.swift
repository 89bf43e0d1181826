import Foundation
import SikoModel
import Testing

@Suite("Store contract: completing attempts")
struct CompletionContractTests {
    @Test("each outcome leaves its state, next attempt and error, with the attempt on record", arguments: StoreEngine.allCases)
    func states(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), sms = subscription("sub_sms", channel: .sms)
            try await store.add(hook, sms)
            let published = try await store.publish([.to(hook), .to(hook), .to(hook), .to(sms)])
            let jobs = try await store.claim(at: t0)
            let byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.delivery.id, $0) })
            let ids = published.deliveryIds
            try await store.finish(try #require(byID[ids[0]]), .delivered, at: t0.plus(1), code: 204)
            try await store.finish(try #require(byID[ids[1]]), .retry(after: nil, reason: "HTTP 503"), at: t0.plus(1), code: 503)
            try await store.finish(try #require(byID[ids[2]]), .permanent(reason: "HTTP 400"), at: t0.plus(1), code: 400)
            let text = try #require(try await store.claim(.sms, at: t0).first)
            try await store.finish(text, .sent, at: t0.plus(1), code: 202)

            let delivered = try #require(try await store.delivery(id: ids[0]))
            #expect(delivered.status == .delivered && delivered.nextAttemptAt == nil && delivered.lastError == nil && delivered.attempts == 1)
            let failed = try #require(try await store.delivery(id: ids[1]))
            #expect(failed.status == .failed && failed.nextAttemptAt == t0.plus(6) && failed.lastError == "HTTP 503")
            let dead = try #require(try await store.delivery(id: ids[2]))
            #expect(dead.status == .dead && dead.nextAttemptAt == nil && dead.lastError == "HTTP 400")
            #expect(try await store.status(ids[3]) == .sent)
            #expect(try await store.attempts(deliveryID: ids[1]) == [
                Attempt(deliveryId: ids[1], number: 1, startedAt: t0.plus(1), finishedAt: t0.plus(1), status: .failed, responseCode: 503, error: "HTTP 503"),
            ])
            #expect(try await store.deliveryCounts(eventID: published.eventId) == [.delivered: 1, .failed: 1, .dead: 1, .sent: 1])
            #expect(try await store.claim(at: t0.plus(5.9)).isEmpty, "the retry waits for its time")
            #expect(try await store.claim(at: t0.plus(6)).map(\.delivery.id) == [ids[1]])
        }
    }

    @Test("a subscription failing since the cutoff is disabled with its open deliveries and audited; a success in between clears it",
          arguments: StoreEngine.allCases)
    func failingSince(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let failing = subscription("sub_failing"), recovered = subscription("sub_recovered")
            try await store.add(failing, recovered)
            try await store.publish([.to(failing), .to(recovered)])
            _ = try await store.sendAll(.retry(after: nil, reason: "HTTP 503"), at: t0)
            // Failing again later does not move the first failure's time.
            let retry = try await store.claim(at: t0.plus(3600))
            for job in retry where job.delivery.subscriptionId == failing.id { try await store.finish(job, .retry(after: nil, reason: "HTTP 503"), at: t0.plus(3600)) }
            for job in retry where job.delivery.subscriptionId == recovered.id { try await store.finish(job, .delivered, at: t0.plus(3600)) }
            let open = try await store.publish([.to(failing, due: t0.plus(7200))], at: t0.plus(3600))
            let before = try await store.trail().count

            #expect(try await !store.disableIfFailing(subscriptionID: failing.id, since: t0.plus(-1), reason: "failing for 5 days", at: t0.plus(7200), audit: record(.subscriptionDisable, failing.id)))
            #expect(try await !store.disableIfFailing(subscriptionID: recovered.id, since: t0.plus(7200), reason: "failing for 5 days", at: t0.plus(7200), audit: record(.subscriptionDisable, recovered.id)))
            #expect(try await store.trail().count == before, "nothing disabled, nothing audited")
            #expect(try await store.disableIfFailing(subscriptionID: failing.id, since: t0, reason: "failing for 5 days", at: t0.plus(7200), audit: record(.subscriptionDisable, failing.id, at: t0.plus(7200))))

            let disabled = try #require(try await store.subscription(id: failing.id))
            #expect(!disabled.enabled && disabled.disabledReason == "failing for 5 days")
            #expect(try await store.activeSubscriptions().map(\.id) == [recovered.id])
            #expect(try await store.status(open.deliveryIds[0]) == .suppressed)
            #expect(try await store.trail().last?.record == record(.subscriptionDisable, failing.id, at: t0.plus(7200)))
            #expect(try await !store.disableIfFailing(subscriptionID: failing.id, since: t0, reason: "again", at: t0.plus(7201), audit: record(.subscriptionDisable, failing.id)), "once")
        }
    }

    @Test("a 410 disables its subscription, suppresses its open deliveries and writes the given audit entry", arguments: StoreEngine.allCases)
    func gone(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let gone = subscription("sub_gone"), other = subscription("sub_other")
            try await store.add(gone, other)
            let first = try await store.publish([.to(gone), .to(other)])
            let waiting = try await store.publish([.to(gone, due: t0.plus(60)), .to(other, due: t0.plus(60))], at: t0.plus(1))
            let jobs = try await store.claim(at: t0)
            let before = try await store.trail().count
            for job in jobs where job.delivery.subscriptionId == other.id { try await store.finish(job, .retry(after: nil, reason: "HTTP 503"), at: t0) }
            #expect(try await store.trail().count == before, "an ordinary result writes no audit entry")
            let entry = AuditRecord(at: t0.plus(2), partner: "stadt-essen", actor: "system", action: .subscriptionDisable, object: gone.id, detail: "HTTP 410")
            let job = try #require(jobs.first { $0.delivery.subscriptionId == gone.id })
            try await store.finish(job, .gone(reason: "HTTP 410 Gone"), at: t0.plus(2), code: 410, audit: entry)

            #expect(try await store.status(first.deliveryIds[0]) == .dead)
            let subscription = try #require(try await store.subscription(id: gone.id))
            #expect(!subscription.enabled && subscription.disabledReason == "HTTP 410 Gone")
            #expect(try await store.status(waiting.deliveryIds[0]) == .suppressed)
            #expect(try await store.status(waiting.deliveryIds[1]) == .pending, "the other subscription is untouched")
            #expect(try await store.status(first.deliveryIds[1]) == .failed)
            #expect(try await store.trail().last?.record == entry)
            #expect(try await store.trail().count == before + 1)
        }
    }
}
