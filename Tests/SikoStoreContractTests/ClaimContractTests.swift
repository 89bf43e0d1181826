import Foundation
import SikoModel
import Testing

@Suite("Store contract: claiming and leases")
struct ClaimContractTests {
    @Test("a claim takes only due deliveries of its channel, counts an attempt for each and hands out the event and the signing secret",
          arguments: StoreEngine.allCases)
    func dueOnly(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), sms = subscription("sub_sms", channel: .sms)
            #expect(try await store.insertSubscription(hook, secret: "whsec_geheim", maxPerPartner: .max, audit: record(.subscriptionCreate, hook.id)))
            try await store.add(sms)
            let now = try await store.publish([.to(hook), .to(sms)])
            let later = try await store.publish([.to(hook, due: t0.plus(30))])

            let jobs = try await store.claim(.webhook, at: t0)
            #expect(jobs.map(\.delivery.id) == [now.deliveryIds[0]], "not the SMS, not the one due later")
            let job = try #require(jobs.first)
            #expect(job.delivery.status == .sending && job.delivery.attempts == 1)
            #expect(job.event.id == now.eventId && job.event.title == "Kontrolle am Hauptbahnhof")
            #expect(job.secret == "whsec_geheim", "the sealed secret comes back opened")
            #expect(try await store.delivery(id: job.delivery.id)?.status == .sending)

            #expect(try await store.claim(.sms, at: t0).map(\.delivery.id) == [now.deliveryIds[1]])
            #expect(try await store.claim(.webhook, at: t0.plus(29)).isEmpty, "the later one is not due yet, the first is leased")
            #expect(try await store.claim(.webhook, at: t0.plus(30)).map(\.delivery.id) == later.deliveryIds)
        }
    }

    @Test("a claimed job carries its subscription's payload format as it is at the claim", arguments: StoreEngine.allCases)
    func formatAtClaim(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let cap = subscription("sub_cap", format: .cap), plain = subscription("sub_plain")
            try await store.add(cap, plain)
            try await store.publish([.to(cap), .to(plain)])
            let first = Dictionary(uniqueKeysWithValues: try await store.claim(at: t0).map { ($0.delivery.subscriptionId, $0.format) })
            #expect(first == [cap.id: .cap, plain.id: .json])

            let waiting = try await store.publish([.to(plain, due: t0.plus(30))])
            var switched = plain
            switched.format = .cap
            switched.updatedAt = t0.plus(1)
            #expect(try await store.updateSubscription(switched, from: plain, review: { _ in [] }, audit: record(.subscriptionUpdate, plain.id)))
            let later = try await store.claim(at: t0.plus(30))
            #expect(later.map(\.delivery.id) == waiting.deliveryIds)
            #expect(later.first?.format == .cap, "planned before the switch, sent after it: the format of the send is the new one")
        }
    }

    @Test("a claim under its limit takes the oldest due deliveries first, whatever their targets", arguments: StoreEngine.allCases)
    func oldestFirst(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            // Targets sort the other way round from their due times, so an engine that picks by target shows.
            let subscriptions = ["sub_z", "sub_y", "sub_x", "sub_w"].map { subscription($0) }
            for subscription in subscriptions { try await store.add(subscription) }
            let published = try await store.publish(subscriptions.enumerated().map { index, subscription in
                Planned.to(subscription, due: t0.plus(Double(index)))
            })
            let now = t0.plus(10)
            let first = try await store.claim(limit: 2, at: now)
            #expect(Set(first.map(\.delivery.id)) == Set(published.deliveryIds.prefix(2)), "the two that have waited longest")
            let rest = try await store.claim(limit: 2, at: now)
            #expect(Set(rest.map(\.delivery.id)) == Set(published.deliveryIds.suffix(2)))
        }
    }

    @Test("a claim takes at most perTarget per target and none for excluded targets", arguments: StoreEngine.allCases)
    func perTargetAndExcluded(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let busy = subscription("sub_busy"), calm = subscription("sub_calm"), broken = subscription("sub_broken")
            try await store.add(busy, calm, broken)
            for index in 0..<3 {
                try await store.publish([.to(busy), .to(calm), .to(broken)], at: t0.plus(Double(index)))
            }
            let now = t0.plus(10)
            let jobs = try await store.claim(perTarget: 2, excluding: [broken.target], at: now)
            let byTarget = Dictionary(grouping: jobs, by: \.delivery.target).mapValues(\.count)
            #expect(byTarget == [busy.target: 2, calm.target: 2])
            let next = try await store.claim(perTarget: 2, excluding: [broken.target], at: now)
            #expect(Dictionary(grouping: next, by: \.delivery.target).mapValues(\.count) == [busy.target: 1, calm.target: 1])
            #expect(try await store.claim(excluding: [broken.target], at: now).isEmpty)
            #expect(try await store.claim(at: now).count == 3, "the excluded target's deliveries waited, untouched")
        }
    }

    @Test("a target named in freeSlots gets what is free of its own cap, more or less than perTarget; the others perTarget", arguments: StoreEngine.allCases)
    func freeSlots(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let fast = subscription("sub_fast"), busy = subscription("sub_busy"), other = subscription("sub_other")
            try await store.add(fast, busy, other)
            for index in 0..<5 {
                try await store.publish([.to(fast), .to(busy), .to(other)], at: t0.plus(Double(index)))
            }
            let jobs = try await store.claim(perTarget: 2, freeSlots: [fast.target: 4, busy.target: 1], at: t0.plus(10))
            #expect(Dictionary(grouping: jobs, by: \.delivery.target).mapValues(\.count) == [fast.target: 4, busy.target: 1, other.target: 2])
            #expect(try await store.claim(freeSlots: [busy.target: 0], at: t0.plus(10)).allSatisfy { $0.delivery.target != busy.target })
        }
    }

    @Test("a live lease is its owner's; once expired another owner takes it over, counting a second attempt", arguments: StoreEngine.allCases)
    func leaseExpiry(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            let first = try await store.claim(owner: "worker-a", at: t0, leaseFor: 60)
            #expect(first.count == 1)
            #expect(try await store.claim(owner: "worker-b", at: t0.plus(59)).isEmpty, "the lease still runs")
            let takeover = try await store.claim(owner: "worker-b", at: t0.plus(60))
            #expect(takeover.map(\.delivery.id) == published.deliveryIds)
            #expect(takeover.first?.delivery.attempts == 2, "the crashed worker's claim counted")
        }
    }

    @Test("a renewed lease stays its owner's past its first expiry; only the named sends of the owner move", arguments: StoreEngine.allCases)
    func leaseRenewal(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), other = subscription("sub_other")
            try await store.add(hook, other)
            try await store.publish([.to(hook), .to(other)])
            let mine = try await store.claim(limit: 1, owner: "worker-a", at: t0, leaseFor: 30)
            let theirs = try await store.claim(limit: 1, owner: "worker-b", at: t0, leaseFor: 30)
            #expect(try await store.renewLeases(mine.map(\.delivery.id) + theirs.map(\.delivery.id), owner: "worker-a", until: t0.plus(90)) == 1)
            let takeover = try await store.claim(owner: "worker-c", at: t0.plus(60))
            #expect(takeover.map(\.delivery.id) == theirs.map(\.delivery.id), "worker-b's lease expired unrenewed; worker-a's was renewed")
            try await store.finish(mine[0], .delivered, owner: "worker-a", at: t0.plus(61))
            #expect(try await store.renewLeases(mine.map(\.delivery.id), owner: "worker-a", until: t0.plus(200)) == 0, "a finished send holds no lease")
            #expect(try await store.status(mine[0].delivery.id) == .delivered)
        }
    }

    @Test("an expired lease to an excluded target is not taken over", arguments: StoreEngine.allCases)
    func expiredLeaseExcluded(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            try await store.publish([.to(hook)])
            _ = try await store.claim(owner: "worker-a", at: t0, leaseFor: 1)
            #expect(try await store.claim(excluding: [hook.target], owner: "worker-b", at: t0.plus(5)).isEmpty, "its breaker is open")
            #expect(try await store.claim(owner: "worker-b", at: t0.plus(5)).count == 1)
        }
    }

    @Test("a result from a lost lease is kept as an attempt but leaves the delivery to its new owner", arguments: StoreEngine.allCases)
    func lostLease(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            let old = try #require(try await store.claim(owner: "worker-a", at: t0, leaseFor: 1).first)
            let new = try #require(try await store.claim(owner: "worker-b", at: t0.plus(2)).first)
            try await store.finish(old, .delivered, owner: "worker-a", at: t0.plus(3), code: 200)
            let id = published.deliveryIds[0]
            #expect(try await store.status(id) == .sending, "worker-b still holds it")
            #expect(try await store.attempts(deliveryID: id).map(\.number) == [1])
            try await store.finish(new, .permanent(reason: "HTTP 400"), owner: "worker-b", at: t0.plus(4), code: 400)
            let delivery = try #require(try await store.delivery(id: id))
            #expect(delivery.status == .dead && delivery.lastError == "HTTP 400" && delivery.attempts == 2)
            #expect(try await store.attempts(deliveryID: id).map(\.status) == [.delivered, .dead])
        }
    }

    @Test("a claimed delivery of a disabled subscription is suppressed, not handed out, and its claim not counted",
          arguments: StoreEngine.allCases)
    func inactiveSubscription(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), other = subscription("sub_other")
            try await store.add(hook, other)
            let published = try await store.publish([.to(hook), .to(other)])
            var disabled = hook
            disabled.enabled = false
            disabled.disabledReason = "paused by the partner"
            // A change whose review leaves the open deliveries alone: the claim still sends nothing for it.
            #expect(try await store.updateSubscription(disabled, from: hook, review: { _ in [] }, audit: record(.subscriptionUpdate, hook.id)))
            let jobs = try await store.claim(at: t0)
            #expect(jobs.map(\.delivery.id) == [published.deliveryIds[1]])
            let suppressed = try #require(try await store.delivery(id: published.deliveryIds[0]))
            #expect(suppressed.status == .suppressed && suppressed.attempts == 0)
            #expect(suppressed.lastError?.contains("disabled") == true)
        }
    }

    @Test("after a crash an abandoned lease is due again at once, its interrupted attempt on record", arguments: StoreEngine.allCases)
    func recovery(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            _ = try await store.claim(owner: "crashed", at: t0, leaseFor: 60)
            let restart = t0.plus(120)
            #expect(try await store.recoverAbandonedLeases(at: restart) == 1)
            let attempts = try await store.attempts(deliveryID: published.deliveryIds[0])
            #expect(attempts.map(\.number) == [1])
            #expect(attempts.first?.error?.contains("interrupted") == true)
            let again = try await store.claim(owner: "new", at: restart)
            #expect(again.map(\.delivery.attempts) == [2])
        }
    }

    @Test("queue figures: due, scheduled, sending, the oldest due time and when to wake", arguments: StoreEngine.allCases)
    func queueStats(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            #expect(try await store.nextDueTime() == nil)
            try await store.publish([.to(hook, due: t0), .to(hook, due: t0.plus(5)), .to(hook, due: t0.plus(100))])
            #expect(try await store.queueStats(now: t0.plus(10)) == QueueStats(due: 2, scheduled: 1, sending: 0, oldestDue: t0))
            #expect(try await store.nextDueTime() == t0)
            _ = try await store.claim(limit: 1, at: t0.plus(10), leaseFor: 30)
            #expect(try await store.queueStats(now: t0.plus(10)) == QueueStats(due: 1, scheduled: 1, sending: 1, oldestDue: t0.plus(5)))
            _ = try await store.claim(at: t0.plus(10), leaseFor: 30)
            #expect(try await store.nextDueTime() == t0.plus(40), "the leases expire before the last one is due")
        }
    }
}
