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
}
