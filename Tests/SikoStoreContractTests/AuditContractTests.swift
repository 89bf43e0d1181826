import Foundation
import SikoModel
import Testing

@Suite("Store contract: the audit trail's order and chain")
struct AuditContractTests {
    /// Verifies the whole stored chain.
    func verify(_ store: any Store) async throws -> AuditChain.Break? {
        var verifier = AuditChain.Verifier()
        return verifier.check(try await store.trail())
    }

    @Test("every role's entries line up in commit order, numbered without gaps, in a chain that verifies", arguments: StoreEngine.allCases)
    func order(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let key = StoredKey(id: "siko_abcdefghij", partner: "stadt-essen", hash: "hash-1", scopes: [.eventsPublish], createdAt: t0)
            try await store.insertKey(key, audit: record(.keyCreate, key.id, partner: "geschaeftsstelle"))
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)], at: t0.plus(1))
            var renamed = hook
            renamed.name = "Lage Innenstadt"
            #expect(try await store.updateSubscription(renamed, from: hook, review: { _ in [] }, audit: record(.subscriptionUpdate, hook.id)))
            try await store.appendAudit([record(.keyCreate, "siko_cli1", partner: "stadt-bochum"), record(.keyCreate, "siko_cli2", partner: "stadt-bochum")])
            _ = try await store.sendAll(.permanent(reason: "HTTP 400"), at: t0.plus(2))
            _ = try await store.requeue(deliveryID: published.deliveryIds[0], at: t0.plus(3), audit: record(.deliveryRetry, published.deliveryIds[0]))
            try await store.deleteSubscription(id: hook.id, at: t0.plus(4), audit: record(.subscriptionDelete, hook.id))
            _ = try await store.revokeKey(id: key.id, at: t0.plus(5)) { key in record(.keyRevoke, key.id, partner: "geschaeftsstelle") }

            let trail = try await store.trail()
            #expect(trail.map(\.sequence) == Array(1...9))
            #expect(trail.map { "\($0.record.action) \($0.record.object)" } == [
                "key.create siko_abcdefghij", "subscription.create sub_hook", "event.publish \(published.eventId)",
                "subscription.update sub_hook", "key.create siko_cli1", "key.create siko_cli2",
                "delivery.retry \(published.deliveryIds[0])", "subscription.delete sub_hook", "key.revoke siko_abcdefghij",
            ])
            #expect(trail.first?.previousHash == AuditChain.genesis)
            var verifier = AuditChain.Verifier()
            #expect(verifier.check(trail) == nil)
            #expect(verifier.checked == 9 && verifier.head == trail.last?.hash)

            #expect(try await store.auditEntries(after: 2, limit: 2, partner: nil).map(\.sequence) == [3, 4])
            #expect(try await store.auditEntries(after: 0, limit: 10, partner: "stadt-bochum").map(\.record.object) == ["siko_cli1", "siko_cli2"])
            #expect(try await store.auditEntries(after: 5, limit: 10, partner: "geschaeftsstelle").map(\.sequence) == [9])
        }
    }

    @Test("writes from many roles at once still make one gapless chain", arguments: StoreEngine.allCases)
    func concurrentWriters(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await store.publish([.to(hook)], externalId: "e-\(index)", at: t0.plus(Double(index))) }
                    group.addTask { try await store.add(subscription("sub_\(index)")) }
                    group.addTask { try await store.appendAudit([record(.keyCreate, "siko_\(index)")]) }
                }
                try await group.waitForAll()
            }
            let trail = try await store.trail()
            #expect(trail.count == 61)
            #expect(trail.map(\.sequence) == Array(1...61))
            #expect(try await verify(store) == nil)
        }
    }

    @Test("the newest entries come newest first, a page before a sequence, one partner's alone", arguments: StoreEngine.allCases)
    func newestFirst(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            try await store.appendAudit((1...6).map { record(.keyCreate, "siko_\($0)", partner: $0.isMultiple(of: 2) ? "stadt-essen" : "stadt-bochum", at: t0.plus(Double($0))) })
            #expect(try await store.auditEntries(before: nil, limit: 3, partner: nil).map(\.record.object) == ["siko_6", "siko_5", "siko_4"])
            #expect(try await store.auditEntries(before: 4, limit: 10, partner: nil).map(\.record.object) == ["siko_3", "siko_2", "siko_1"])
            #expect(try await store.auditEntries(before: nil, limit: 10, partner: "stadt-essen").map(\.record.object) == ["siko_6", "siko_4", "siko_2"])
        }
    }

    @Test("an entry edited behind the store's back breaks the chain at that entry", arguments: StoreEngine.allCases)
    func tampering(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            try await store.appendAudit((1...5).map { record(.keyCreate, "siko_\($0)", at: t0.plus(Double($0))) })
            #expect(try await verify(store) == nil)
            try await fixture.editAudit(3)
            #expect(try await store.trail()[2].record.actor == "someone-else", "the edit went through")
            let broken = try #require(try await verify(store))
            #expect(broken.sequence == 3 && broken.reason.contains("edited"))
        }
    }
}
