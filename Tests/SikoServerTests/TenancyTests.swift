import SikoTestSupport
import SikoTestGateway
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
@testable import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// Twenty-three agencies on one gateway: every endpoint, tried with another partner's key and with
/// a key that lacks the endpoint's scope.
@Suite("Tenancy: every endpoint is scoped to its partner and its scope")
struct TenancyTests {
    /// Objects owned by Stadt Essen: a subscription, an event it published, and a dead delivery of it.
    struct World {
        var subscription: String
        var event: String
        var delivery: String
        var key: String
    }

    static let target = "https://lage.essen.example/hooks/siko"

    func withWorld(_ body: @escaping @Sendable (TestGateway, any TestClientProtocol, World) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let owner = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage, .deliveriesRead)
                let created = try await client.json(.post, "/v1/subscriptions", key: owner, body: """
                    {"name":"Lagedienst Essen","areas":["essen"],"channel":"webhook","target":"\(Self.target)"}
                    """)
                let subscription = try #require(created.body["id"] as? String)
                let published = try await client.json(.post, "/v1/events", key: owner, body: """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle Altendorfer Straße"}
                    """)
                let event = try #require(published.body["id"] as? String)
                let delivery = try #require(try await fixture.store.deliveries(eventID: event).first?.id)
                try await fixture.store.pool.write { db in
                    try db.execute(sql: "UPDATE delivery SET status = 'dead', last_error = 'HTTP 500', next_attempt_at = NULL WHERE id = ?", arguments: [delivery])
                }
                try await body(fixture, client, World(subscription: subscription, event: event, delivery: delivery, key: owner))
            }
        }
    }

    @Test("another partner's key, with every scope but admin, cannot read, change, retry or delete what Essen owns")
    func otherPartner() async throws {
        try await withWorld { fixture, client, world in
            let other = try await fixture.key("stadt-bochum", .eventsPublish, .subscriptionsManage, .deliveriesRead, .bulletinsSend)
            let notFound: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/subscriptions/\(world.subscription)", nil),
                (.patch, "/v1/subscriptions/\(world.subscription)", #"{"target":"https://bochum.example/steal","enabled":false}"#),
                (.delete, "/v1/subscriptions/\(world.subscription)", nil),
                (.get, "/v1/events/\(world.event)", nil),
                (.get, "/v1/events/\(world.event)/deliveries", nil),
                (.get, "/v1/deliveries/\(world.delivery)", nil),
                (.post, "/v1/deliveries/\(world.delivery)/retry", nil),
            ]
            for (method, path, body) in notFound {
                let answer = try await client.json(method, path, key: other, body: body)
                #expect(answer.status == .notFound, "\(method) \(path) answers 404, as if it did not exist")
                #expect(answer.headers[.contentType] == "application/problem+json")
                #expect(!String(describing: answer.body).contains(Self.target))
            }
            let lists = [
                "/v1/subscriptions", "/v1/deliveries", "/v1/deliveries?event=\(world.event)",
                "/v1/deliveries?subscription=\(world.subscription)", "/v1/deliveries?status=dead",
            ]
            for path in lists {
                let answer = try await client.json(.get, path, key: other)
                #expect(answer.status == .ok)
                let rows = (answer.body["subscriptions"] ?? answer.body["deliveries"]) as? [Any]
                #expect(rows?.isEmpty == true, "\(path) lists nothing of Essen's")
            }
            let bulk = try await client.json(.post, "/v1/deliveries/retry", key: other, body: #"{"event":"\#(world.event)"}"#)
            #expect(bulk.status == .ok && bulk.body["requeued"] as? Int == 0)
            let everything = try await client.json(.post, "/v1/deliveries/retry", key: other, body: "{}")
            #expect(everything.body["requeued"] as? Int == 0)

            // Bochum may not publish into Essen; the Federal Police may, and its explain lists Essen's
            // subscription with name and target masked.
            let police = try await fixture.key("bundespolizei", .eventsPublish)
            let explained = try await client.json(.post, "/v1/explain", key: police, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#)
            let items = explained.body["subscriptions"] as? [[String: Any]] ?? []
            let essen = try #require(items.first { $0["subscriptionId"] as? String == world.subscription })
            #expect(essen["target"] as? String == "***" && essen["name"] as? String == "***")

            // Nothing changed: Essen still sees its subscription, unchanged and enabled, and its dead delivery.
            let own = try await client.json(.get, "/v1/subscriptions/\(world.subscription)", key: world.key)
            #expect(own.status == .ok && own.body["target"] as? String == Self.target && own.body["enabled"] as? Bool == true)
            #expect(try await fixture.store.delivery(id: world.delivery)?.status == .dead)
            let admin = try await fixture.key("geschaeftsstelle", .admin)
            for path in ["/v1/subscriptions/\(world.subscription)", "/v1/events/\(world.event)", "/v1/deliveries/\(world.delivery)"] {
                #expect(try await client.json(.get, path, key: admin).status == .ok, "admin sees \(path)")
            }
        }
    }

    @Test("a key without an endpoint's scope gets 403 missing-scope on every endpoint, and nothing happens")
    func missingScope() async throws {
        try await withWorld { fixture, client, world in
            let endpoints: [(HTTPRequest.Method, String, String?, Scope)] = [
                (.post, "/v1/events", #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#, .eventsPublish),
                (.post, "/v1/explain", #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#, .eventsPublish),
                (.get, "/v1/events/\(world.event)", nil, .deliveriesRead),
                (.get, "/v1/events/\(world.event)/deliveries", nil, .deliveriesRead),
                (.get, "/v1/deliveries", nil, .deliveriesRead),
                (.get, "/v1/deliveries/\(world.delivery)", nil, .deliveriesRead),
                (.post, "/v1/deliveries/\(world.delivery)/retry", nil, .deliveriesRead),
                (.post, "/v1/deliveries/retry", "{}", .deliveriesRead),
                (.post, "/v1/subscriptions", #"{"name":"x","areas":["essen"],"channel":"webhook","target":"https://x.example/h"}"#, .subscriptionsManage),
                (.get, "/v1/subscriptions", nil, .subscriptionsManage),
                (.get, "/v1/subscriptions/\(world.subscription)", nil, .subscriptionsManage),
                (.patch, "/v1/subscriptions/\(world.subscription)", #"{"enabled":false}"#, .subscriptionsManage),
                (.delete, "/v1/subscriptions/\(world.subscription)", nil, .subscriptionsManage),
                (.get, "/v1/keys", nil, .admin),
                (.post, "/v1/keys", #"{"partner":"stadt-essen","scopes":["admin"]}"#, .admin),
                (.delete, "/v1/keys/siko_whatever", nil, .admin),
                (.get, "/v1/audit", nil, .admin),
                (.post, "/v1/bulletins", #"{"topic":"lagebild","urgency":"high","areas":["essen"],"title":"x"}"#, .bulletinsSend),
                (.post, "/v1/bulletins/blt_whatever/submit", nil, .bulletinsSend),
                (.post, "/v1/bulletins/blt_whatever/approve", nil, .bulletinsApprove),
            ]
            // Counted without the operator's keys each round issues for the test.
            let changes = { try await fixture.store.auditEntries(after: 0, limit: 1000, partner: nil).filter { $0.record.actor != "cli" }.count }
            let before = try await changes()
            for (method, path, body, scope) in endpoints {
                // The owner's own partner, every scope but the one needed and those that would
                // also allow it (and never admin): a partner's admin reads its own keys and audit,
                // and subscriptions:read is enough to read subscriptions.
                let alsoAllowing: [Scope: Set<Scope>] = [
                    .subscriptionsManage: [.subscriptionsRead], .admin: [.partnerAdmin], .deliveriesRead: [.deliveriesRetry],
                ]
                let scopes = Set(Scope.allCases).subtracting([scope, .admin]).subtracting(alsoAllowing[scope] ?? [])
                let key = try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: scopes).key
                let answer = try await client.json(method, path, key: key, body: body)
                #expect(answer.status == .forbidden, "\(method) \(path) without \(scope.rawValue)")
                #expect(answer.body["type"] as? String == "urn:siko:problem:missing-scope")
            }
            #expect(try await fixture.store.subscription(id: world.subscription)?.enabled == true)
            #expect(try await fixture.store.delivery(id: world.delivery)?.status == .dead)
            #expect(try await changes() == before, "a refusal changes nothing, so nothing is audited")
        }
    }
}
