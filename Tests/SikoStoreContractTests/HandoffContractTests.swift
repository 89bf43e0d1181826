import Foundation
import SikoModel
import Testing

@Suite("Store contract: deliveries handed off as they are published")
struct HandoffContractTests {
    @Test("handed-off deliveries are stored leased to the dispatcher, their first attempt counted, and come back as jobs with event and secret; the rest wait for a claim",
          arguments: StoreEngine.allCases)
    func leasedAtPublish(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), other = subscription("sub_other")
            #expect(try await store.insertSubscription(hook, secret: "whsec_geheim", maxPerPartner: .max, audit: record(.subscriptionCreate, hook.id)))
            try await store.add(other)
            var request = publishRequest([.to(hook), .to(other)])
            request.handoff = Handoff(owner: "worker-a", leaseUntil: t0.plus(60), deliveryIds: [request.deliveries[0].id])
            let result = try await store.publish(request)

            let job = try #require(result.jobs.first)
            #expect(result.jobs.count == 1)
            #expect(job.delivery.id == request.deliveries[0].id && job.delivery.status == .sending && job.delivery.attempts == 1)
            #expect(job.event == request.event && job.secret == "whsec_geheim")
            #expect(try await store.delivery(id: job.delivery.id)?.status == .sending)
            #expect(try await store.claim(owner: "worker-b", at: t0).map(\.delivery.id) == [request.deliveries[1].id],
                    "the handed-off one is leased; the other is claimed as ever")
        }
    }

    @Test("a handed-off job carries its subscription's payload format", arguments: StoreEngine.allCases)
    func formatAtHandoff(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let cap = subscription("sub_cap", format: .cap), plain = subscription("sub_plain")
            try await store.add(cap, plain)
            var request = publishRequest([.to(cap), .to(plain)])
            request.handoff = Handoff(owner: "worker-a", leaseUntil: t0.plus(60), deliveryIds: Set(request.deliveries.map(\.id)))
            let jobs = try await store.publish(request).jobs
            #expect(Dictionary(uniqueKeysWithValues: jobs.map { ($0.delivery.subscriptionId, $0.format) }) == [cap.id: .cap, plain.id: .json])
        }
    }

    @Test("a handed-off delivery whose sender dies is taken over once its lease expires, like a claimed one", arguments: StoreEngine.allCases)
    func takenOverAfterExpiry(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            var request = publishRequest([.to(hook)])
            request.handoff = Handoff(owner: "worker-a", leaseUntil: t0.plus(60), deliveryIds: Set(request.deliveries.map(\.id)))
            _ = try await store.publish(request)
            #expect(try await store.claim(owner: "worker-b", at: t0.plus(59)).isEmpty, "the lease still runs")
            let takeover = try await store.claim(owner: "worker-b", at: t0.plus(60))
            #expect(takeover.map(\.delivery.id) == request.deliveries.map(\.id))
            #expect(takeover.first?.delivery.attempts == 2, "the handoff counted an attempt, as a claim does")
        }
    }

    @Test("a replayed event hands off nothing: the first event's deliveries stay as they were", arguments: StoreEngine.allCases)
    func replayHandsOffNothing(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let first = try await store.publish([.to(hook)], externalId: "x-1")
            var again = publishRequest([.to(hook)], externalId: "x-1", at: t0.plus(1))
            again.handoff = Handoff(owner: "worker-a", leaseUntil: t0.plus(60), deliveryIds: Set(again.deliveries.map(\.id)))
            let result = try await store.publish(again)
            #expect(result.duplicate && result.jobs.isEmpty)
            #expect(try await store.status(first.deliveryIds[0]) == .pending)
            #expect(try await store.delivery(id: again.deliveries[0].id) == nil)
        }
    }

    @Test("a delivery handed off to a subscription deleted meanwhile is stored stopped, not sent", arguments: StoreEngine.allCases)
    func deletedSubscriptionStops(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            try await store.deleteSubscription(id: hook.id, at: t0, audit: record(.subscriptionDelete, hook.id))
            var request = publishRequest([.to(hook)])
            request.handoff = Handoff(owner: "worker-a", leaseUntil: t0.plus(60), deliveryIds: Set(request.deliveries.map(\.id)))
            let result = try await store.publish(request)
            #expect(result.jobs.isEmpty)
            let stored = try #require(try await store.delivery(id: request.deliveries[0].id))
            #expect(stored.status == .suppressed && stored.attempts == 0)
            #expect(try await store.claim(at: t0.plus(120)).isEmpty)
        }
    }
}
