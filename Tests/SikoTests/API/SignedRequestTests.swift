import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoChannels
import SikoModel
import Testing
@testable import SikoServer

/// A key that requires signatures cannot publish with the bearer alone: a leaked key is not enough.
@Suite("Signed requests from systems (Standard Webhooks)")
struct SignedRequestTests {
    let event = #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle"}"#

    func signed(_ secret: String, id: String, at timestamp: Date, body: String) throws -> HTTPFields {
        let seconds = Int(timestamp.timeIntervalSince1970)
        var headers = HTTPFields()
        headers[HTTPField.Name("webhook-id")!] = id
        headers[HTTPField.Name("webhook-timestamp")!] = String(seconds)
        headers[HTTPField.Name("webhook-signature")!] = try WebhookSigner(secret: secret).signature(id: id, timestamp: seconds, body: Array(body.utf8))
        return headers
    }

    @Test("unsigned, wrongly signed, replayed or stale requests answer 401; a fresh signature publishes")
    func signedPublishing() async throws {
        let clock = ManualClock(utc("2026-11-25T08:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                let created = try await client.json(.post, "/v1/keys", key: admin, body: #"{"partner":"stadt-essen","scopes":["events:publish"],"requireSignature":true}"#)
                let key = try #require(created.body["key"] as? String)
                let secret = try #require(created.body["signingSecret"] as? String)
                let now = clock.now()

                let unsigned = try await client.json(.post, "/v1/events", key: key, body: event)
                #expect(unsigned.status == .unauthorized)
                #expect(unsigned.body["type"] as? String == "urn:siko:problem:invalid-signature")
                #expect((unsigned.body["detail"] as? String)?.contains("must be signed") == true)

                let good = try signed(secret, id: "msg_0001", at: now, body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: good).status == .accepted)
                let replay = try await client.json(.post, "/v1/events", key: key, body: event, headers: good)
                #expect(replay.status == .unauthorized && (replay.body["detail"] as? String)?.contains("already used") == true)

                let tampered = event.replacingOccurrences(of: "Kontrolle", with: "Entwarnung")
                let forBody = try signed(secret, id: "msg_0002", at: now, body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: tampered, headers: forBody).status == .unauthorized)

                let stale = try signed(secret, id: "msg_0003", at: now.addingTimeInterval(-301), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: stale).status == .unauthorized)
                let early = try signed(secret, id: "msg_0004", at: now.addingTimeInterval(301), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: early).status == .unauthorized)
                let edge = try signed(secret, id: "msg_0005", at: now.addingTimeInterval(-299), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: edge).status == .accepted)

                let otherSecret = WebhookSigner.makeSecret()
                let wrongKey = try signed(otherSecret, id: "msg_0006", at: now, body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: wrongKey).status == .unauthorized)

                // A GET is signed over its empty body.
                let read = try signed(secret, id: "msg_0007", at: now, body: "")
                #expect(try await client.json(.get, "/v1/topics", key: key, headers: read).status == .ok)

                // Another key without the requirement is not affected.
                let plain = try await fixture.key("stadt-essen", .eventsPublish)
                #expect(try await client.json(.post, "/v1/events", key: plain, body: event).status == .accepted)
                let listed = try await client.json(.get, "/v1/keys?partner=stadt-essen", key: admin)
                let rows = listed.body["keys"] as? [[String: Any]] ?? []
                #expect(rows.filter { $0["requiresSignature"] as? Bool == true }.count == 1)
                #expect(rows.allSatisfy { $0["signingSecret"] == nil })
                #expect(try await fixture.store.deliveries(matching: .init(limit: 100)).isEmpty, "no subscriptions: nothing to deliver")
            }
        }
    }

    @Test("a replayed id is accepted again only after the window has passed")
    func replayMemoryExpires() {
        let memory = ReplayMemory()
        let start = utc("2026-11-25T08:00:00Z")
        #expect(memory.insert("k msg", now: start, keepFor: 600))
        #expect(!memory.insert("k msg", now: start.addingTimeInterval(599), keepFor: 600))
        #expect(memory.insert("k msg", now: start.addingTimeInterval(601), keepFor: 600))
        #expect(memory.insert("other msg", now: start.addingTimeInterval(601), keepFor: 600))
    }
}
