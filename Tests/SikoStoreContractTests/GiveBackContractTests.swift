import Foundation
import SikoModel
import Testing

@Suite("Store contract: giving deliveries back unsent")
struct GiveBackContractTests {
    @Test("released deliveries are due again at `until`, not before, and the claim does not count as an attempt", arguments: StoreEngine.allCases)
    func release(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook), .to(hook)])
            let jobs = try await store.claim(owner: "worker-a", at: t0)
            #expect(jobs.count == 2)
            try await store.release(published.deliveryIds, owner: "worker-a", until: t0.plus(30))
            #expect(try await store.claim(owner: "worker-a", at: t0.plus(29)).isEmpty)
            let again = try await store.claim(owner: "worker-a", at: t0.plus(30))
            #expect(again.map(\.delivery.attempts) == [1, 1], "the first claim was not counted")
            #expect(try await store.attempts(deliveryID: published.deliveryIds[0]).isEmpty)
        }
    }

    @Test("a delivery given back after an earlier failure stays failed, keeping its attempt count", arguments: StoreEngine.allCases)
    func releaseAfterFailure(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            let first = try #require(try await store.claim(at: t0).first)
            try await store.finish(first, .retry(after: nil, reason: "HTTP 503"), at: t0, code: 503)
            _ = try await store.claim(at: t0.plus(5))
            try await store.release(published.deliveryIds, owner: "worker-a", until: t0.plus(60))
            let delivery = try #require(try await store.delivery(id: published.deliveryIds[0]))
            #expect(delivery.status == .failed && delivery.attempts == 1 && delivery.nextAttemptAt == t0.plus(60))
        }
    }

    @Test("only the lease's owner can give it back", arguments: StoreEngine.allCases)
    func releaseByOther(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            _ = try await store.claim(owner: "worker-a", at: t0, leaseFor: 60)
            try await store.release(published.deliveryIds, owner: "worker-b", until: t0)
            #expect(try await store.status(published.deliveryIds[0]) == .sending)
            #expect(try await store.claim(owner: "worker-b", at: t0.plus(1)).isEmpty)
        }
    }

    @Test("on shutdown an owner gives back all it holds, due at once, and no other owner's leases", arguments: StoreEngine.allCases)
    func releaseLeases(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), other = subscription("sub_other")
            try await store.add(hook, other)
            try await store.publish([.to(hook), .to(hook)])
            let kept = try await store.publish([.to(other)], at: t0.plus(1))
            _ = try await store.claim(limit: 2, owner: "stopping", at: t0.plus(1))
            _ = try await store.claim(owner: "staying", at: t0.plus(1))
            #expect(try await store.releaseLeases(owner: "stopping", at: t0.plus(2)) == 2)
            #expect(try await store.status(kept.deliveryIds[0]) == .sending)
            let again = try await store.claim(owner: "staying", at: t0.plus(2))
            #expect(again.count == 2 && again.allSatisfy { $0.delivery.attempts == 1 })
        }
    }

    @Test("postponing moves waiting deliveries to the given targets of one channel to `until`; the rest stay due", arguments: StoreEngine.allCases)
    func postpone(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let down = subscription("sub_down"), up = subscription("sub_up")
            try await store.add(down, up)
            let published = try await store.publish([.to(down), .to(down), .to(up), .to(down, due: t0.plus(600))])
            #expect(try await store.postpone(channel: .webhook, targets: [down.target], until: t0.plus(300)) == 2, "the one due later is not moved earlier")
            #expect(try await store.postpone(channel: .sms, targets: [down.target], until: t0.plus(300)) == 0)
            #expect(try await store.claim(at: t0, leaseFor: 3600).map(\.delivery.id) == [published.deliveryIds[2]])
            #expect(try await store.claim(at: t0.plus(299)).isEmpty)
            #expect(Set(try await store.claim(at: t0.plus(300)).map(\.delivery.id)) == Set(published.deliveryIds.prefix(2)))
            #expect(try await store.delivery(id: published.deliveryIds[3])?.nextAttemptAt == t0.plus(600))
        }
    }
}
