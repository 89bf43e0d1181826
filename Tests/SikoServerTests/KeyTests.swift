import SikoTestSupport
import SikoTestGateway
import Foundation
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

@Suite("API keys: list, create and revoke (admin only)")
struct KeyTests {
    @Test("an admin creates a key, sees it listed without secret, and revokes it: the next request with it is refused")
    func lifecycle() async throws {
        // A hand-moved clock, so "when last used" has one right answer.
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                let created = try await client.json(.post, "/v1/keys", key: admin, body: """
                    {"partner":"stadt-essen","scopes":["events:publish","deliveries:read"],"expiresAt":"2099-01-01T00:00:00Z"}
                    """)
                #expect(created.status == .created)
                let key = try #require(created.body["key"] as? String)
                let id = try #require(created.body["id"] as? String)
                #expect(key.hasPrefix(id + "_"))
                #expect(created.body["scopes"] as? [String] == ["deliveries:read", "events:publish"])

                func listed() async throws -> [String: Any] {
                    let listed = try await client.json(.get, "/v1/keys?partner=stadt-essen", key: admin)
                    let rows = try #require(listed.body["keys"] as? [[String: Any]])
                    return try #require(rows.first { $0["id"] as? String == id })
                }
                #expect(try await listed()["lastUsedAt"] is NSNull, "never used yet")
                clock.advance(by: 90)
                let works = try await client.json(.get, "/v1/topics", key: key)
                #expect(works.status == .ok)
                let row = try await listed()
                #expect(row["key"] == nil && row["hash"] == nil, "never the key, never its hash")
                #expect(row["lastUsedAt"] as? String == "2026-11-25T10:01:30.000Z", "the use just now is on record")
                #expect(row["expiresAt"] as? String == "2099-01-01T00:00:00.000Z")
                // Accurate to the minute: a use 30 s later may or may not be written, one 2 minutes later is.
                clock.advance(by: 30)
                _ = try await client.json(.get, "/v1/topics", key: key)
                #expect(["2026-11-25T10:01:30.000Z", "2026-11-25T10:02:00.000Z"].contains(try await listed()["lastUsedAt"] as? String))
                clock.advance(by: 90)
                _ = try await client.json(.get, "/v1/topics", key: key)
                #expect(try await listed()["lastUsedAt"] as? String == "2026-11-25T10:03:30.000Z")

                let revoked = try await client.json(.delete, "/v1/keys/\(id)", key: admin)
                #expect(revoked.status == .ok && revoked.body["revokedAt"] is String)
                let refused = try await client.json(.get, "/v1/topics", key: key)
                #expect(refused.status == .unauthorized, "revocation takes effect at once")
                #expect(try await client.json(.delete, "/v1/keys/siko_nothere00", key: admin).status == .notFound)
            }
        }
    }

    @Test("without admin: 403 on every key endpoint; bad input names its fields")
    func adminOnly() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let partner = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage, .deliveriesRead, .bulletinsSend)
                #expect(try await client.json(.get, "/v1/keys", key: partner).status == .forbidden)
                #expect(try await client.json(.post, "/v1/keys", key: partner, body: #"{"partner":"stadt-essen","scopes":["admin"]}"#).status == .forbidden)
                #expect(try await client.json(.delete, "/v1/keys/siko_abc", key: partner).status == .forbidden)
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                let bad = try await client.json(.post, "/v1/keys", key: admin, body: #"{"partner":"nobody","scopes":["everything"],"expiresAt":"2001-01-01T00:00:00Z"}"#)
                #expect(bad.status == .unprocessableContent)
                let fields = Set(((bad.body["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["partner", "scopes[0]", "expiresAt"])
            }
        }
    }

    @Test("an expired key is refused")
    func expired() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        try await TestGateway.withGateway(clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let issued = try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: [.eventsPublish], expiresAt: clock.now().addingTimeInterval(60))
                #expect(try await client.json(.get, "/v1/topics", key: issued.key).status == .ok)
                clock.advance(by: 60)
                #expect(try await client.json(.get, "/v1/topics", key: issued.key).status == .unauthorized)
            }
        }
    }
}

@Suite("Rate limit per key")
struct RateLimitTests {
    @Test("a token bucket allows its burst, then one request per 1/rate seconds")
    func bucket() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var bucket = TokenBucket(rate: 2, burst: 3, now: start)
        for _ in 0..<3 { #expect(bucket.take(now: start) == nil) }
        #expect(bucket.take(now: start) == 0.5)
        #expect(bucket.take(now: start.addingTimeInterval(0.5)) == nil)
        #expect(bucket.take(now: start.addingTimeInterval(0.5)) != nil)
        #expect(bucket.take(now: start.addingTimeInterval(100)) == nil, "a quiet spell refills")
        for _ in 0..<2 { #expect(bucket.take(now: start.addingTimeInterval(100)) == nil) }
        #expect(bucket.take(now: start.addingTimeInterval(100)) != nil, "but never beyond the burst")
    }

    @Test("past its burst a key gets 429 with Retry-After; another key is not affected")
    func tooManyRequests() async throws {
        // A stopped clock: the bucket refills only when the test says so, however slow the machine.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        try await TestGateway.withGateway(rateLimit: .init(rate: 0.5, burst: 3), clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let busy = try await fixture.key("stadt-essen", .eventsPublish)
                let calm = try await fixture.key("stadt-bochum", .eventsPublish)
                for _ in 0..<3 { #expect(try await client.json(.get, "/v1/topics", key: busy).status == .ok) }
                let limited = try await client.json(.get, "/v1/topics", key: busy)
                #expect(limited.status == .tooManyRequests)
                #expect(limited.body["type"] as? String == "urn:siko:problem:rate-limited")
                #expect(limited.headers[.retryAfter] == "2")
                #expect(limited.headers[.contentType] == "application/problem+json")
                #expect(try await client.json(.get, "/v1/topics", key: calm).status == .ok)
                clock.advance(by: 2)
                #expect(try await client.json(.get, "/v1/topics", key: busy).status == .ok, "two seconds later one token is back")
            }
        }
    }
}
