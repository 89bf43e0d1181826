import Foundation
import SikoModel
import Testing

@Suite("Store contract: retries asked for by people")
struct RetryContractTests {
    @Test("a dead or failed delivery goes back to pending, due at once, audited; any other stays as it is, unaudited",
          arguments: StoreEngine.allCases)
    func single(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook), .to(hook), .to(hook), .to(hook, due: t0.plus(600))])
            let ids = published.deliveryIds
            let jobs = try await store.claim(limit: 3, at: t0)
            let byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.delivery.id, $0) })
            try await store.finish(try #require(byID[ids[0]]), .permanent(reason: "HTTP 400"), at: t0)
            try await store.finish(try #require(byID[ids[1]]), .retry(after: nil, reason: "HTTP 503"), at: t0)
            try await store.finish(try #require(byID[ids[2]]), .delivered, at: t0)
            let before = try await store.trail().count
            let now = t0.plus(10)

            let dead = try #require(try await store.requeue(deliveryID: ids[0], at: now, audit: record(.deliveryRetry, ids[0], at: now)))
            #expect(dead.status == .pending && dead.nextAttemptAt == now)
            #expect(try await store.requeue(deliveryID: ids[1], at: now, audit: record(.deliveryRetry, ids[1], at: now))?.status == .pending)
            #expect(try await store.trail().suffix(2).map(\.record) == [record(.deliveryRetry, ids[0], at: now), record(.deliveryRetry, ids[1], at: now)])
            #expect(try await store.requeue(deliveryID: ids[2], at: now, audit: record(.deliveryRetry, ids[2]))?.status == .delivered)
            #expect(try await store.requeue(deliveryID: ids[3], at: now, audit: record(.deliveryRetry, ids[3]))?.nextAttemptAt == t0.plus(600), "a waiting one keeps its time")
            #expect(try await store.requeue(deliveryID: "dlv_missing", at: now, audit: record(.deliveryRetry, "dlv_missing")) == nil)
            #expect(try await store.trail().count == before + 2)
            #expect(Set(try await store.claim(at: now).map(\.delivery.id)) == [ids[0], ids[1]])
        }
    }

    @Test("no retry for a deleted or disabled subscription's deliveries", arguments: StoreEngine.allCases)
    func inactiveSubscriptions(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let deleted = subscription("sub_deleted"), disabled = subscription("sub_disabled")
            try await store.add(deleted, disabled)
            let published = try await store.publish([.to(deleted), .to(disabled)])
            _ = try await store.sendAll(.permanent(reason: "HTTP 400"), at: t0)
            try await store.deleteSubscription(id: deleted.id, at: t0.plus(1), audit: record(.subscriptionDelete, deleted.id))
            var off = disabled
            off.enabled = false
            #expect(try await store.updateSubscription(off, from: disabled, review: { _ in [] }, audit: record(.subscriptionUpdate, disabled.id)))
            let before = try await store.trail().count
            for id in published.deliveryIds {
                #expect(try await store.requeue(deliveryID: id, at: t0.plus(2), audit: record(.deliveryRetry, id))?.status == .dead)
            }
            #expect(try await store.requeue(matching: DeliveryQuery(status: .dead), at: t0.plus(2), audit: { record(.deliveriesRetry, "dead", detail: "\($0)") }) == 0)
            #expect(try await store.trail().count == before, "nothing requeued, nothing audited")
        }
    }

    @Test("a bulk retry requeues the dead and failed deliveries matching the filter, counts them and audits the count once",
          arguments: StoreEngine.allCases)
    func bulk(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), other = subscription("sub_other")
            try await store.add(hook, other)
            try await store.publish([.to(hook), .to(hook), .to(hook), .to(other)])
            let jobs = try await store.claim(at: t0)
            for (index, job) in jobs.enumerated() {
                let outcome: DeliveryOutcome = job.delivery.subscriptionId == other.id ? .permanent(reason: "HTTP 400")
                    : index.isMultiple(of: 2) ? .permanent(reason: "HTTP 400") : .retry(after: nil, reason: "HTTP 503")
                try await store.finish(job, outcome, at: t0)
            }
            try await store.publish([.to(hook)], at: t0.plus(1))
            let before = try await store.trail().count
            let count = try await store.requeue(
                matching: DeliveryQuery(subscriptionId: hook.id), at: t0.plus(5),
                audit: { record(.deliveriesRetry, hook.id, detail: "\($0) deliveries", at: t0.plus(5)) }
            )
            #expect(count == 3)
            #expect(try await store.trail().dropFirst(before).map(\.record) == [record(.deliveriesRetry, hook.id, detail: "3 deliveries", at: t0.plus(5))])
            let states = try await store.deliveries(matching: DeliveryQuery(subscriptionId: hook.id)).map(\.status)
            #expect(states == [.pending, .pending, .pending, .pending])
            #expect(try await store.deliveries(matching: DeliveryQuery(subscriptionId: other.id)).map(\.status) == [.dead])
            #expect(try await store.requeue(matching: DeliveryQuery(subscriptionId: hook.id), at: t0.plus(6), audit: { record(.deliveriesRetry, hook.id, detail: "\($0)") }) == 0)
            #expect(try await store.trail().count == before + 1)
        }
    }

    @Test("a bulk retry's limit is clamped to 1...10,000", arguments: StoreEngine.allCases)
    func clamps(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            try await store.publish(Array(repeating: Planned.to(hook, status: .dead), count: 10_005))
            #expect(try await store.requeue(matching: DeliveryQuery(limit: 0), at: t0, audit: { record(.deliveriesRetry, "all", detail: "\($0)") }) == 1)
            #expect(try await store.requeue(matching: DeliveryQuery(limit: 1_000_000), at: t0, audit: { record(.deliveriesRetry, "all", detail: "\($0)") }) == 10_000)
            #expect(try await store.trail().suffix(2).map(\.record.detail) == ["1", "10000"])
            #expect(try await store.queueStats(now: t0).due == 10_001)
        }
    }
}
