import SikoTestSupport
import SikoTestGateway
import Foundation
import SikoModel
import SikoSQLite
import Testing

@Suite("SQLite store: one transaction per event, leases, recovery")
struct StoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func withStore(_ body: (SQLiteStore, TemporaryDirectory) async throws -> Void) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"))
        // Every delivery belongs to a subscription; the claim suppresses those whose subscription is gone.
        for index in 0..<4 { try await store.insertSubscription(subscription(id: "sub_\(index)", areas: ["essen"], target: "https://example.org/\(index)"), secret: nil) }
        try await body(store, folder)
    }

    func request(externalId: String? = "x-1", key: String? = nil, deliveries count: Int = 2, publisher: String = "stadt-essen") -> PublishRequest {
        let event = Event(
            id: Identifier.make("evt", at: now), externalId: externalId, publisher: publisher, topic: "razzia", urgency: .high,
            areas: ["essen"], title: "Kontrolle", body: "Straße", classification: .public, publishedAt: now, expiresAt: nil,
            data: .object(["n": .integer(1)])
        )
        let deliveries = (0..<count).map { index in
            Delivery(
                id: Identifier.make("dlv", at: now), eventId: event.id, subscriptionId: "sub_\(index)", partner: "stadt-essen",
                channel: .webhook, target: "https://example.org/\(index)", status: .pending, nextAttemptAt: now, createdAt: now, updatedAt: now
            )
        }
        return PublishRequest(event: event, idempotencyKey: key, deliveries: deliveries)
    }

    @Test("an event and its deliveries are stored together; the same external id again is a duplicate")
    func idempotentPublish() async throws {
        try await withStore { store, _ in
            let first = try await store.publish(request())
            #expect(!first.duplicate && first.deliveries == 2)
            let again = try await store.publish(request())
            #expect(again == PublishResult(eventId: first.eventId, deliveries: 2, duplicate: true))
            let other = try await store.publish(request(publisher: "stadt-bochum"))
            #expect(!other.duplicate, "external ids are per publisher")
            #expect(try await store.deliveries(eventID: first.eventId).count == 2)
            let event = try #require(try await store.event(id: first.eventId))
            #expect(event.title == "Kontrolle" && event.data == .object(["n": .integer(1)]))
        }
    }

    @Test("the idempotency key works like the external id")
    func idempotencyKey() async throws {
        try await withStore { store, _ in
            let first = try await store.publish(request(externalId: nil, key: "k-1"))
            let again = try await store.publish(request(externalId: nil, key: "k-1"))
            #expect(again.duplicate && again.eventId == first.eventId)
        }
    }

    @Test("concurrent publishes of one external id store one event (group commit)")
    func concurrentDuplicates() async throws {
        try await withStore { store, _ in
            let results = try await withThrowingTaskGroup(of: PublishResult.self) { group in
                for _ in 0..<50 { group.addTask { try await store.publish(request(externalId: "same")) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.eventId)).count == 1)
            #expect(results.filter { !$0.duplicate }.count == 1)
            #expect(try await store.deliveries(matching: DeliveryQuery(limit: 1000)).count == 2)
        }
    }

    @Test("a claimed delivery is leased once; an expired lease can be claimed again")
    func leases() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(deliveries: 3))
            let first = try await store.claim(limit: 10, owner: "a", now: now, leaseUntil: now.addingTimeInterval(60))
            #expect(first.count == 3)
            #expect(first.allSatisfy { $0.delivery.status == .sending && $0.delivery.attempts == 1 })
            #expect(try await store.claim(limit: 10, owner: "b", now: now, leaseUntil: now.addingTimeInterval(60)).isEmpty)
            let later = now.addingTimeInterval(61)
            let reclaimed = try await store.claim(limit: 10, owner: "b", now: later, leaseUntil: later.addingTimeInterval(60))
            #expect(reclaimed.count == 3)
            #expect(reclaimed.allSatisfy { $0.delivery.attempts == 2 })
        }
    }

    @Test("a claim takes at most its limit, counting due deliveries and expired leases together")
    func claimLimit() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(externalId: "a", deliveries: 3))
            _ = try await store.claim(limit: 3, owner: "crashed", now: now, leaseUntil: now.addingTimeInterval(1))
            _ = try await store.publish(request(externalId: "b", deliveries: 3))
            let later = now.addingTimeInterval(2)
            let first = try await store.claim(limit: 4, owner: "w", now: later, leaseUntil: later.addingTimeInterval(60))
            #expect(first.count == 4)
            let rest = try await store.claim(limit: 10, owner: "w", now: later, leaseUntil: later.addingTimeInterval(60))
            #expect(rest.count == 2, "nothing beyond the limit was leased silently")
            #expect(Set((first + rest).map(\.delivery.id)).count == 6)
        }
    }

    @Test("a result from a lost lease is recorded but does not overwrite the new owner's state")
    func fencing() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(deliveries: 1))
            let job = try #require(try await store.claim(limit: 1, owner: "a", now: now, leaseUntil: now.addingTimeInterval(1)).first)
            let later = now.addingTimeInterval(2)
            _ = try await store.claim(limit: 1, owner: "b", now: later, leaseUntil: later.addingTimeInterval(60))
            let attempt = Attempt(deliveryId: job.delivery.id, number: 1, startedAt: now, finishedAt: later, status: .delivered, responseCode: 200, error: nil)
            try await store.complete([AttemptResult(owner: "a", subscriptionId: "sub_0", attempt: attempt, transition: .after(.delivered, attempt: 1, schedule: .standard, now: later))])
            let delivery = try #require(try await store.delivery(id: job.delivery.id))
            #expect(delivery.status == .sending, "owner b still holds it")
            #expect(try await store.attempts(deliveryID: job.delivery.id).count == 1)
        }
    }

    @Test("after a crash every delivery left in sending becomes due again, with the interrupted attempt on record")
    func recovery() async throws {
        try await withStore { store, folder in
            _ = try await store.publish(request(deliveries: 2))
            _ = try await store.claim(limit: 10, owner: "crashed", now: now, leaseUntil: now.addingTimeInterval(3600))
            let reopened = try SQLiteStore(path: folder.file("siko.sqlite"))
            #expect(try await reopened.recoverAbandonedLeases(at: now) == 2)
            let jobs = try await reopened.claim(limit: 10, owner: "new", now: now, leaseUntil: now.addingTimeInterval(60))
            #expect(jobs.count == 2)
            let attempts = try await reopened.attempts(deliveryID: jobs[0].delivery.id)
            #expect(attempts.map(\.number) == [1])
            #expect(attempts.first?.error?.contains("interrupted") == true)
        }
    }

    @Test("released leases are due at once and the claim is not counted")
    func release() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(deliveries: 2))
            _ = try await store.claim(limit: 10, owner: "a", now: now, leaseUntil: now.addingTimeInterval(60))
            #expect(try await store.releaseLeases(owner: "a", at: now) == 2)
            let jobs = try await store.claim(limit: 10, owner: "a", now: now, leaseUntil: now.addingTimeInterval(60))
            #expect(jobs.map(\.delivery.attempts) == [1, 1])
        }
    }

    @Test("only dead or failed deliveries go back to pending")
    func requeue() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(deliveries: 1))
            let job = try #require(try await store.claim(limit: 1, owner: "a", now: now, leaseUntil: now.addingTimeInterval(60)).first)
            #expect(try await store.requeue(deliveryID: job.delivery.id, at: now, audit: .byTest(.deliveryRetry, object: job.delivery.id))?.status == .sending)
            let attempt = Attempt(deliveryId: job.delivery.id, number: 1, startedAt: now, finishedAt: now, status: .dead, responseCode: nil, error: "bad")
            try await store.complete([AttemptResult(owner: "a", subscriptionId: "sub_0", attempt: attempt, transition: .after(.permanent(reason: "bad"), attempt: 1, schedule: .standard, now: now))])
            #expect(try await store.delivery(id: job.delivery.id)?.status == .dead)
            #expect(try await store.requeue(deliveryID: job.delivery.id, at: now, audit: .byTest(.deliveryRetry, object: job.delivery.id))?.status == .pending)
            #expect(try await store.requeue(deliveryID: "dlv_missing", at: now, audit: .byTest(.deliveryRetry, object: "dlv_missing")) == nil)
        }
    }

    @Test("pages run newest first and end")
    func paging() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(deliveries: 5))
            let first = try await store.deliveries(matching: DeliveryQuery(limit: 2))
            let second = try await store.deliveries(matching: DeliveryQuery(limit: 2, after: first.last?.id))
            let third = try await store.deliveries(matching: DeliveryQuery(limit: 2, after: second.last?.id))
            let all = first + second + third
            #expect(all.count == 5)
            #expect(all.map(\.id) == all.map(\.id).sorted(by: >))
            #expect(Set(all.map(\.id)).count == 5)
        }
    }

    @Test("deleting a subscription suppresses its open deliveries")
    func deleteSubscription() async throws {
        try await withStore { store, _ in
            _ = try await store.publish(request(deliveries: 1))
            try await store.deleteSubscription(id: "sub_0", at: now, audit: .byTest(.subscriptionDelete, object: "sub_0"))
            #expect(try await store.subscription(id: "sub_0") == nil)
            #expect(Set(try await store.activeSubscriptions().map(\.id)) == ["sub_1", "sub_2", "sub_3"])
            #expect(try await store.deliveries(matching: DeliveryQuery()).first?.status == .suppressed)
        }
    }
}
