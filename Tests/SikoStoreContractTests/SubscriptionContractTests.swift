import Foundation
import SikoModel
import Synchronization
import Testing

@Suite("Store contract: subscriptions")
struct SubscriptionContractTests {
    @Test("an update built on a stale read is refused; one on a gone subscription is notFound", arguments: StoreEngine.allCases)
    func compareAndSet(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let original = subscription("sub_hook")
            try await store.add(original)
            var disabled = original
            disabled.enabled = false
            disabled.disabledReason = "HTTP 410 Gone"
            disabled.updatedAt = t0.plus(1)
            #expect(try await store.updateSubscription(disabled, from: original, review: { _ in [] }, audit: record(.subscriptionUpdate, original.id)))
            #expect(try await store.subscription(id: original.id) == disabled)

            let before = try await store.trail().count
            var renamed = original
            renamed.name = "built on the old read"
            renamed.updatedAt = t0.plus(2)
            #expect(try await !store.updateSubscription(renamed, from: original, review: { _ in [] }, audit: record(.subscriptionUpdate, original.id)))
            #expect(try await store.subscription(id: original.id) == disabled, "the gateway's disabling is not undone")
            #expect(try await store.trail().count == before, "a refused change is not audited")

            try await store.deleteSubscription(id: original.id, at: t0.plus(3), audit: record(.subscriptionDelete, original.id))
            #expect(try await store.subscription(id: original.id) == nil)
            #expect(try await store.subscriptions(partner: nil).isEmpty)
            await #expect(throws: StoreError.self) {
                _ = try await store.updateSubscription(renamed, from: disabled, review: { _ in [] }, audit: record(.subscriptionUpdate, original.id))
            }
            await #expect(throws: StoreError.self) {
                try await store.deleteSubscription(id: original.id, at: t0.plus(4), audit: record(.subscriptionDelete, original.id))
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.updateSubscription(renamed, from: original, review: { _ in [] }, audit: record(.subscriptionUpdate, "sub_never"))
            }
            #expect(try await store.trail().count == before + 1)
        }
    }

    @Test("an update hands its open deliveries to the review and keeps its decisions; sent ones are not offered", arguments: StoreEngine.allCases)
    func review(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let original = subscription("sub_hook")
            try await store.add(original)
            let sent = try await store.publish([.to(original)])
            _ = try await store.sendAll(.delivered, at: t0)
            let open = try await store.publish([.to(original, due: t0.plus(60)), .to(original, due: t0.plus(60))], at: t0.plus(1))
            var edited = original
            edited.target = "https://new.example/hook"
            let moved = edited
            let offered = OfferedDeliveries()
            let suppressed = open.deliveryIds[0], retargeted = open.deliveryIds[1]
            #expect(try await store.updateSubscription(moved, from: original, review: { candidates in
                offered.record(candidates.map { "\($0.delivery.id) \($0.event.id)" })
                return [
                    .suppress(deliveryId: suppressed, reason: "no longer matches"),
                    .retarget(deliveryId: retargeted, target: moved.target, content: .teaser, rule: .classification),
                ]
            }, audit: record(.subscriptionUpdate, original.id)))
            #expect(Set(offered.value) == Set(open.deliveryIds.map { "\($0) \(open.eventId)" }))
            let gone = try #require(try await store.delivery(id: suppressed))
            #expect(gone.status == .suppressed && gone.lastError == "no longer matches")
            let changed = try #require(try await store.delivery(id: retargeted))
            #expect(changed.status == .pending && changed.target == moved.target && changed.content == .teaser && changed.rule == .classification)
            #expect(try await store.delivery(id: sent.deliveryIds[0])?.target == original.target, "what was sent stays on record as sent")
        }
    }

    @Test("deleting a subscription removes it from view and suppresses its open deliveries; what was sent stays", arguments: StoreEngine.allCases)
    func delete(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let gone = subscription("sub_gone"), kept = subscription("sub_kept")
            try await store.add(gone, kept)
            let sent = try await store.publish([.to(gone)])
            _ = try await store.sendAll(.delivered, at: t0)
            let open = try await store.publish([.to(gone), .to(gone, due: t0.plus(60)), .to(kept)], at: t0.plus(1))
            try await store.deleteSubscription(id: gone.id, at: t0.plus(2), audit: record(.subscriptionDelete, gone.id, at: t0.plus(2)))
            #expect(try await store.subscription(id: gone.id) == nil)
            #expect(try await store.activeSubscriptions().map(\.id) == [kept.id])
            #expect(try await store.status(open.deliveryIds[0]) == .suppressed)
            #expect(try await store.status(open.deliveryIds[1]) == .suppressed)
            #expect(try await store.status(open.deliveryIds[2]) == .pending)
            #expect(try await store.status(sent.deliveryIds[0]) == .delivered)
            #expect(try await store.trail().last?.record == record(.subscriptionDelete, gone.id, at: t0.plus(2)))
            #expect(try await store.claim(at: t0.plus(60)).map(\.delivery.id) == [open.deliveryIds[2]])
        }
    }

    @Test("a subscription's payload format is stored and read back, changed by an update, and part of what a stale read is", arguments: StoreEngine.allCases)
    func formatRoundTrip(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let cap = subscription("sub_cap", format: .cap), plain = subscription("sub_plain")
            try await store.add(cap, plain)
            #expect(try await store.subscription(id: cap.id) == cap)
            #expect(try await store.subscription(id: plain.id)?.format == .json)
            let listed = Dictionary(uniqueKeysWithValues: try await store.subscriptions(partner: "stadt-essen").map { ($0.id, $0.format) })
            #expect(listed == [cap.id: .cap, plain.id: .json])
            let active = Dictionary(uniqueKeysWithValues: try await store.activeSubscriptions().map { ($0.id, $0.format) })
            #expect(active == [cap.id: .cap, plain.id: .json], "matching reads the format along with the rest")

            var switched = plain
            switched.format = .cap
            switched.updatedAt = t0.plus(1)
            #expect(try await store.updateSubscription(switched, from: plain, review: { _ in [] }, audit: record(.subscriptionUpdate, plain.id)))
            #expect(try await store.subscription(id: plain.id) == switched)

            var renamed = plain
            renamed.name = "built on the read before the switch"
            renamed.updatedAt = t0.plus(2)
            #expect(try await !store.updateSubscription(renamed, from: plain, review: { _ in [] }, audit: record(.subscriptionUpdate, plain.id)))
            #expect(try await store.subscription(id: plain.id)?.format == .cap, "a change built on the old format does not undo the switch")
        }
    }

    @Test("the per-partner cap holds when creates come at once; deleted ones do not count, disabled ones do", arguments: StoreEngine.allCases)
    func cap(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await store.insertSubscription(subscription("sub_\(index)"), secret: nil, maxPerPartner: 5, audit: record(.subscriptionCreate, "sub_\(index)"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(inserted.filter { $0 }.count == 5)
            #expect(try await store.subscriptionCount(partner: "stadt-essen") == 5)
            #expect(try await store.subscriptions(partner: "stadt-essen").count == 5)
            #expect(try await store.trail().count == 5, "only the inserted ones are audited")
            #expect(try await store.insertSubscription(subscription("sub_bochum", partner: "stadt-bochum"), secret: nil, maxPerPartner: 5, audit: record(.subscriptionCreate, "sub_bochum")))

            let live = try await store.subscriptions(partner: "stadt-essen")
            var off = live[0]
            off.enabled = false
            #expect(try await store.updateSubscription(off, from: live[0], review: { _ in [] }, audit: record(.subscriptionUpdate, off.id)))
            #expect(try await store.subscriptionCount(partner: "stadt-essen") == 5)
            try await store.deleteSubscription(id: live[1].id, at: t0, audit: record(.subscriptionDelete, live[1].id))
            #expect(try await store.subscriptionCount(partner: "stadt-essen") == 4)
            #expect(try await store.insertSubscription(subscription("sub_new"), secret: nil, maxPerPartner: 5, audit: record(.subscriptionCreate, "sub_new")))
            #expect(try await !store.insertSubscription(subscription("sub_over"), secret: nil, maxPerPartner: 5, audit: record(.subscriptionCreate, "sub_over")))
            #expect(try await store.subscription(id: "sub_over") == nil)
            #expect(Set(try await store.subscriptions(partner: nil).map(\.id)).count == 6)
            #expect(!(try await store.activeSubscriptions().map(\.id)).contains(off.id))
        }
    }
}

/// What a review closure was offered (it runs inside the engine's transaction, possibly on another thread).
final class OfferedDeliveries: Sendable {
    private let storage = Mutex<[String]>([])
    func record(_ values: [String]) { storage.withLock { $0 += values } }
    var value: [String] { storage.withLock { $0 } }
}
