import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SikoChannels
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// A key that requires signatures cannot act with the bearer alone: a leaked key is not enough,
/// and a captured request works once, for what it was signed for.
@Suite("Signed requests from systems (v2: bound to method, path and query)")
struct SignedRequestTests {
    let event = #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle"}"#

    /// The headers a client sends: the v2 signature over id, timestamp, method, path with query, body.
    static func signed(
        _ secret: String, id: String, at timestamp: Date, method: HTTPRequest.Method = .post, path: String = "/v1/events", body: String
    ) throws -> HTTPFields {
        let seconds = Int(timestamp.timeIntervalSince1970)
        var headers = HTTPFields()
        headers[HTTPField.Name("webhook-id")!] = id
        headers[HTTPField.Name("webhook-timestamp")!] = String(seconds)
        headers[HTTPField.Name("webhook-signature")!] = try RequestSignature.signature(
            secret: secret, id: id, timestamp: seconds, target: .init(method: method.rawValue, path: path), body: Array(body.utf8)
        )
        return headers
    }

    func signingKey(_ client: some TestClientProtocol, _ fixture: TestGateway, scopes: String = #"["events:publish"]"#) async throws -> (key: String, secret: String) {
        let admin = try await fixture.key("geschaeftsstelle", .admin)
        let created = try await client.json(.post, "/v1/keys", key: admin, body: #"{"partner":"stadt-essen","scopes":\#(scopes),"requireSignature":true}"#)
        return (try #require(created.body["key"] as? String), try #require(created.body["signingSecret"] as? String))
    }

    @Test("unsigned, wrongly signed, replayed or stale requests answer 401; a fresh signature publishes")
    func signedPublishing() async throws {
        let clock = ManualClock(utc("2026-11-25T08:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let (key, secret) = try await signingKey(client, fixture)
                let now = clock.now()

                let unsigned = try await client.json(.post, "/v1/events", key: key, body: event)
                #expect(unsigned.status == .unauthorized)
                #expect(unsigned.body["type"] as? String == "urn:siko:problem:invalid-signature")
                #expect((unsigned.body["detail"] as? String)?.contains("must be signed") == true)

                let good = try Self.signed(secret, id: "msg_0001", at: now, body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: good).status == .accepted)
                let replay = try await client.json(.post, "/v1/events", key: key, body: event, headers: good)
                #expect(replay.status == .unauthorized && (replay.body["detail"] as? String)?.contains("already used") == true)

                let tampered = event.replacingOccurrences(of: "Kontrolle", with: "Entwarnung")
                let forBody = try Self.signed(secret, id: "msg_0002", at: now, body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: tampered, headers: forBody).status == .unauthorized)

                let stale = try Self.signed(secret, id: "msg_0003", at: now.addingTimeInterval(-301), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: stale).status == .unauthorized)
                let early = try Self.signed(secret, id: "msg_0004", at: now.addingTimeInterval(301), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: early).status == .unauthorized)
                let edge = try Self.signed(secret, id: "msg_0005", at: now.addingTimeInterval(-299), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: edge).status == .accepted)

                let wrongKey = try Self.signed(WebhookSigner.makeSecret(), id: "msg_0006", at: now, body: event)
                #expect(try await client.json(.post, "/v1/events", key: key, body: event, headers: wrongKey).status == .unauthorized)

                // A GET is signed over its empty body.
                let read = try Self.signed(secret, id: "msg_0007", at: now, method: .get, path: "/v1/topics", body: "")
                #expect(try await client.json(.get, "/v1/topics", key: key, headers: read).status == .ok)

                // Another key without the requirement is not affected.
                let admin = try await fixture.key("geschaeftsstelle", .admin)
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

    @Test("a captured signed GET works once, for its own method, path and query: sent elsewhere it is refused")
    func boundToTheRequest() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let (key, secret) = try await signingKey(client, fixture, scopes: #"["deliveries:read","subscriptions:manage"]"#)
                let body = #"{"name":"Lage","areas":["essen"],"channel":"webhook","target":"https://lage.essen.example/hook"}"#
                let create = try Self.signed(secret, id: "msg_create", at: Date(), path: "/v1/subscriptions", body: body)
                let created = try await client.json(.post, "/v1/subscriptions", key: key, body: body, headers: create)
                let id = try #require(created.body["id"] as? String)

                // A read turned into a delete, or sent to another resource, is refused.
                let read = "/v1/subscriptions/\(id)"
                let capturedRead = try Self.signed(secret, id: "msg_read", at: Date(), method: .get, path: read, body: "")
                for (method, elsewhere) in [(HTTPRequest.Method.delete, read), (.patch, read), (.get, "/v1/subscriptions"), (.get, "/v1/deliveries")] {
                    let replayed = try await client.json(method, elsewhere, key: key, body: method == .patch ? "" : nil, headers: capturedRead)
                    #expect(replayed.status == .unauthorized, "\(method) \(elsewhere)")
                    #expect(replayed.body["type"] as? String == "urn:siko:problem:invalid-signature")
                    #expect((replayed.body["detail"] as? String)?.contains("does not match") == true, "\(method) \(elsewhere)")
                }
                #expect(try await fixture.store.subscription(id: id) != nil, "the subscription is still there")

                // The query counts exactly as sent.
                let list = "/v1/deliveries?status=dead&limit=5"
                let capturedList = try Self.signed(secret, id: "msg_list", at: Date(), method: .get, path: list, body: "")
                for elsewhere in ["/v1/deliveries?status=delivered&limit=5", "/v1/deliveries?limit=5&status=dead", "/v1/deliveries", "/v1/deliveries?status=dead&limit=5&"] {
                    #expect(try await client.json(.get, elsewhere, key: key, headers: capturedList).status == .unauthorized, "\(elsewhere)")
                }

                // Refused copies used up nothing: each request still works once where it was signed for.
                #expect(try await client.json(.get, read, key: key, headers: capturedRead).status == .ok)
                #expect(try await client.json(.get, list, key: key, headers: capturedList).status == .ok)
                #expect(try await client.json(.get, list, key: key, headers: capturedList).status == .unauthorized)
            }
        }
    }

    @Test("a v1 (Standard Webhooks) signature on an API request is refused with a pointer to v2")
    func v1Refused() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let (key, secret) = try await signingKey(client, fixture)
                let seconds = Int(Date().timeIntervalSince1970)
                var headers = HTTPFields()
                headers[HTTPField.Name("webhook-id")!] = "msg_v1"
                headers[HTTPField.Name("webhook-timestamp")!] = String(seconds)
                headers[HTTPField.Name("webhook-signature")!] = try WebhookSigner(secret: secret).signature(id: "msg_v1", timestamp: seconds, body: Array(event.utf8))
                let refused = try await client.json(.post, "/v1/events", key: key, body: event, headers: headers)
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(refused.body["type"] as? String == "urn:siko:problem:invalid-signature")
                #expect((refused.body["detail"] as? String)?.contains("v2,") == true)
                #expect(try await fixture.store.events(publishedSince: .distantPast).isEmpty)
            }
        }
    }

    @Test("1000 unsigned requests with a leaked bearer spend none of the real client's rate limit")
    func leakedBearerCannotExhaustTheLimit() async throws {
        // A stopped clock: no token comes back during the test, however slow the machine.
        let clock = ManualClock(utc("2026-11-25T08:00:00Z"))
        try await TestGateway.withGateway(rateLimit: .init(rate: 0.01, burst: 3), clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let key = try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: [.eventsPublish], requireSignature: true)
                let secret = try #require(key.record.signingSecret)
                var answers: [HTTPResponse.Status: Int] = [:]
                for _ in 0..<1000 { answers[try await client.json(.post, "/v1/events", key: key.key, body: event).status, default: 0] += 1 }
                #expect(answers == [.unauthorized: 1000], "every unsigned request is refused as unsigned")
                for number in 0..<3 {
                    let headers = try Self.signed(secret, id: "msg_real_\(number)", at: clock.now(), body: event)
                    #expect(try await client.json(.post, "/v1/events", key: key.key, body: event, headers: headers).status == .accepted)
                }
                let beyond = try Self.signed(secret, id: "msg_real_3", at: clock.now(), body: event)
                #expect(try await client.json(.post, "/v1/events", key: key.key, body: event, headers: beyond).status == .tooManyRequests, "the limit itself still holds")
            }
        }
    }

    @Test("the replay memory survives a restart: a new gateway on the same file refuses a used webhook-id")
    func replayMemorySurvivesRestart() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let created = try SikoBinary.run("keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--require-signature")
        let lines = created.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let headers = try Self.signed(lines[1], id: "msg_restart", at: Date(), body: event)
        func publish(_ server: SikoServe) async throws -> (status: UInt, body: [String: Any]) {
            let port = try await server.port()
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer \(lines[0])")
            request.headers.add(name: "content-type", value: "application/json")
            for field in headers { request.headers.add(name: field.name.canonicalName, value: field.value) }
            request.body = .bytes(ByteBuffer(string: event))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (response.status.code, (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:])
        }
        let first = try SikoServe.on(data)
        let accepted = try await publish(first)
        try await first.stop()
        #expect(accepted.status == 202)
        let second = try SikoServe.on(data)
        let replayed = try await publish(second)
        try await second.stop()
        #expect(replayed.status == 401)
        #expect((replayed.body["detail"] as? String)?.contains("already used") == true)
    }

    @Test("the documented example: the v2 string and its signature, as the README's openssl recipe computes it")
    func documentedExample() throws {
        let target = RequestSignature.Target(method: "GET", path: "/v1/topics")
        let header = try RequestSignature.signature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "req_1", timestamp: 1_795_586_400, target: target, body: [UInt8]())
        #expect(header == "v2,T57Yvn2NDc/mUjeojyyy1XMgywbcgYZ14/9bQLHYms8=")
        let headers = RequestSignature.Headers(id: "req_1", timestamp: "1795586400", signature: "v1,AAAA " + header)
        let signed = try RequestSignature.verify(
            headers, target: target, body: [UInt8](), secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", now: Date(timeIntervalSince1970: 1_795_586_400)
        )
        #expect(signed.id == "req_1", "a v1 entry beside a good v2 one does no harm")
    }

    @Test("the store remembers an id per key once, and forgets ids signed before the window")
    func replayMemoryInTheStore() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"))
        let start = utc("2026-11-25T08:00:00Z")
        #expect(try await store.rememberSignedRequest(keyID: "k", requestID: "msg", signedAt: start, forgetBefore: start.addingTimeInterval(-300)))
        #expect(try await !store.rememberSignedRequest(keyID: "k", requestID: "msg", signedAt: start, forgetBefore: start.addingTimeInterval(-1)))
        #expect(try await store.rememberSignedRequest(keyID: "other", requestID: "msg", signedAt: start, forgetBefore: start.addingTimeInterval(-1)))
        #expect(try await store.rememberSignedRequest(keyID: "k", requestID: "msg", signedAt: start, forgetBefore: start.addingTimeInterval(1)), "forgotten once its timestamp can no longer pass")
        let copies = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await store.rememberSignedRequest(keyID: "k", requestID: "same", signedAt: start, forgetBefore: start) } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(copies == 1, "twenty copies at once: exactly one is new")
    }
}
