import Foundation
import SikoModel
import Testing

@Suite("Store contract: keys, secrets, replay memory")
struct KeyContractTests {
    func key(_ id: String, partner: String = "stadt-essen", at date: Date = t0, signingSecret: String? = nil) -> StoredKey {
        StoredKey(
            id: id, partner: partner, hash: "hash-\(id)", scopes: [.eventsPublish, .deliveriesRead], createdAt: date,
            expiresAt: date.plus(365 * day), signingSecret: signingSecret
        )
    }

    @Test("a key is found by its hash with its signing secret, listed newest first, revoked once, and its last use kept",
          arguments: StoreEngine.allCases)
    func keys(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let older = key("siko_older"), newer = key("siko_newer", at: t0.plus(60), signingSecret: "whsec_signing")
            let bochum = key("siko_bochum", partner: "stadt-bochum", at: t0.plus(30))
            for key in [older, newer, bochum] { try await store.insertKey(key, audit: record(.keyCreate, key.id, partner: key.partner)) }
            #expect(try await store.key(hash: newer.hash) == newer, "the signing secret comes back opened")
            #expect(try await store.key(hash: "hash-unknown") == nil)
            #expect(try await store.keys(partner: "stadt-essen").map(\.id) == [newer.id, older.id])
            #expect(try await store.keys(partner: nil).map(\.id) == [newer.id, bochum.id, older.id])

            let revoked = try await store.revokeKey(id: older.id, at: t0.plus(100)) { key in
                record(.keyRevoke, key.id, detail: key.revokedAt.map { "at \($0.timeIntervalSince1970)" }, at: t0.plus(100))
            }
            #expect(revoked?.revokedAt == t0.plus(100))
            #expect(try await store.trail().last?.record == record(.keyRevoke, older.id, detail: "at \(t0.plus(100).timeIntervalSince1970)", at: t0.plus(100)),
                    "the entry is built from the key as revoked")
            #expect(try await store.revokeKey(id: older.id, at: t0.plus(200)) { record(.keyRevoke, $0.id) }?.revokedAt == t0.plus(100), "the first time stays")
            #expect(try await store.key(hash: older.hash)?.revokedAt == t0.plus(100))
            let before = try await store.trail().count
            #expect(try await store.revokeKey(id: "siko_unknown", at: t0) { record(.keyRevoke, $0.id) } == nil)
            #expect(try await store.trail().count == before)

            try await store.touchKey(id: newer.id, at: t0.plus(120))
            #expect(try await store.key(hash: newer.hash)?.lastUsedAt == t0.plus(120))
            #expect(try await store.trail().count == before, "a use is bookkeeping, not audited")
        }
    }

    @Test("a named secret is made once, also when asked for at once, and kept", arguments: StoreEngine.allCases)
    func secrets(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<10 { group.addTask { try await store.sealedSecret(named: "sms-receipts") { "sealed:\(index)" } } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(values).count == 1)
            #expect(try await store.sealedSecret(named: "sms-receipts") { "sealed:later" } == values[0])
            #expect(try await store.sealedSecret(named: "other") { "sealed:other" } == "sealed:other")
        }
    }

    @Test("a signed request is new once, per key, and forgotten once older than the window", arguments: StoreEngine.allCases)
    func replays(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let window = 300.0
            func remember(_ key: String, _ request: String, at date: Date) async throws -> Bool {
                try await store.rememberSignedRequest(keyID: key, requestID: request, signedAt: date, forgetBefore: date.plus(-window))
            }
            #expect(try await remember("siko_a", "msg_1", at: t0))
            #expect(try await !remember("siko_a", "msg_1", at: t0.plus(1)), "a replay")
            #expect(try await remember("siko_b", "msg_1", at: t0.plus(1)), "another key's request of the same id")
            #expect(try await remember("siko_a", "msg_2", at: t0.plus(window + 1)))
            #expect(try await remember("siko_a", "msg_1", at: t0.plus(window + 2)), "forgotten: its timestamp no longer passes anyway")

            let fresh = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 { group.addTask { try await remember("siko_a", "msg_same", at: t0.plus(window + 3)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(fresh.filter { $0 }.count == 1, "two copies sent at once cannot both be new")
        }
    }
}
