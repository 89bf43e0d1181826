import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// What bounds one partner's fan-out: subscriptions per partner, the event's deliveries a page at a
/// time, and explain's list of candidates.
@Suite("Fan-out limits: subscriptions per partner, paged event deliveries, explain's candidates", .serialized)
struct FanOutLimitTests {
    static let event = #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Großkontrolle Altendorfer Straße"}"#

    /// `count` Federal Police subscriptions to the whole Ruhr, written straight to the store and the
    /// matching index (past the API and its cap), so every event in Essen matches them all.
    func subscribeRuhr(_ count: Int, in fixture: TestGateway) async throws {
        for number in 0..<count {
            let made = subscription(
                id: String(format: "sub_ruhr%05d", number), partner: "bundespolizei", areas: ["ruhr"],
                target: "http://127.0.0.1:9/hook/\(number)"
            )
            try await fixture.store.insertSubscription(made, secret: nil)
            fixture.gateway.engine.upsert(made)
        }
    }

    /// One request to a running `siko serve`: status, content type and JSON body.
    func call(port: Int, _ method: HTTPMethod, _ path: String, key: String, body: String? = nil) async throws
        -> (status: Int, contentType: String?, body: [String: Any])
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
        return (Int(response.status.code), response.headers.first(name: "content-type"), object)
    }

    @Test("siko serve --max-subscriptions 3: the 4th subscription answers 422 naming the cap; disabled ones count, a deleted one frees its slot, creates at once do not pass it; other partners are not affected")
    func subscriptionCap() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        func key(_ partner: String) throws -> String {
            try SikoBinary.run("keys", "create", "--data", data, "--partner", partner, "--scope", "subscriptions:manage")
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let essen = try key("stadt-essen"), police = try key("bundespolizei"), dortmund = try key("stadt-dortmund")
        func body(_ number: Int) -> String {
            #"{"name":"Lage \#(number)","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:9/hook/\#(number)"}"#
        }
        let server = try SikoServe(
            arguments: ["serve", "--data", data, "--port", "0", "--max-subscriptions", "3"], environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"]
        )
        do {
            let started = try await server.waitFor("listening")
            let port = try #require(started.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
            var ids: [String] = []
            for number in 1...3 {
                let created = try await call(port: port, .POST, "/v1/subscriptions", key: essen, body: body(number))
                #expect(created.status == 201, "\(created.body)")
                ids.append(try #require(created.body["id"] as? String))
            }
            let refused = try await call(port: port, .POST, "/v1/subscriptions", key: essen, body: body(4))
            #expect(refused.status == 422)
            #expect(refused.contentType == "application/problem+json")
            #expect(refused.body["type"] as? String == "urn:siko:problem:subscription-limit")
            let detail = try #require(refused.body["detail"] as? String)
            #expect(detail.contains("at most 3") && detail.contains("--max-subscriptions 3"), "\(detail)")

            let disabled = try await call(port: port, .PATCH, "/v1/subscriptions/\(ids[0])", key: essen, body: #"{"enabled":false}"#)
            #expect(disabled.status == 200 && disabled.body["enabled"] as? Bool == false)
            #expect(try await call(port: port, .POST, "/v1/subscriptions", key: essen, body: body(4)).status == 422, "a disabled subscription can be enabled again, so it counts")

            #expect(try await call(port: port, .POST, "/v1/subscriptions", key: police, body: body(5)).status == 201, "another partner has its own cap")

            #expect(try await call(port: port, .DELETE, "/v1/subscriptions/\(ids[1])", key: essen).status == 204)
            #expect(try await call(port: port, .POST, "/v1/subscriptions", key: essen, body: body(6)).status == 201, "the deleted one's slot is free")
            #expect(try await call(port: port, .POST, "/v1/subscriptions", key: essen, body: body(7)).status == 422)
            let listed = try await call(port: port, .GET, "/v1/subscriptions", key: essen)
            #expect((listed.body["subscriptions"] as? [[String: Any]])?.count == 3)

            // Creates at once do not pass the cap together: the count is taken in the insert's transaction.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for number in 10..<20 {
                    group.addTask { try await call(port: port, .POST, "/v1/subscriptions", key: dortmund, body: body(number)).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 3 && statuses.filter { $0 == 422 }.count == 7, "\(statuses.sorted())")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()

        let zero = try SikoBinary.run("serve", "--data", data, "--port", "0", "--max-subscriptions", "0")
        #expect(zero.status != 0 && zero.stderr.contains("--max-subscriptions must be at least 1"), "\(zero.stderr)")
    }

    @Test("GET /v1/events/{id}/deliveries pages like /v1/deliveries: 25 deliveries at limit=10 are 3 pages, each id once, next null on the last")
    func eventDeliveriesPage() async throws {
        try await TestGateway.withGateway { fixture in
            try await subscribeRuhr(25, in: fixture)
            try await Application(router: fixture.router).test(.router) { client in
                let publisher = try await fixture.key("stadt-essen", .eventsPublish, .deliveriesRead)
                let published = try await client.json(.post, "/v1/events", key: publisher, body: Self.event)
                #expect(published.body["deliveries"] as? Int == 25)
                let eventID = try #require(published.body["id"] as? String)

                var seen: [String] = [], sizes: [Int] = [], after: String?
                for _ in 0..<5 {
                    let page = try await client.json(.get, "/v1/events/\(eventID)/deliveries?limit=10" + (after.map { "&after=\($0)" } ?? ""), key: publisher)
                    #expect(page.status == .ok)
                    let rows = try #require(page.body["deliveries"] as? [[String: Any]])
                    sizes.append(rows.count)
                    seen += rows.compactMap { $0["id"] as? String }
                    #expect(rows.allSatisfy { $0["target"] as? String == "***" }, "the publisher sees others' targets masked")
                    after = page.body["next"] as? String
                    if after == nil {
                        #expect(page.body.keys.contains("next"), "next is null, not missing")
                        break
                    }
                }
                #expect(sizes == [10, 10, 5])
                #expect(Set(seen).count == 25 && seen.count == 25)
                #expect(Set(seen) == Set(try await fixture.store.deliveries(eventID: eventID).map(\.id)))
                #expect(seen == seen.sorted(by: >), "newest first, as /v1/deliveries")

                let recipient = try await fixture.key("bundespolizei", .deliveriesRead)
                let own = try await client.json(.get, "/v1/events/\(eventID)/deliveries", key: recipient)
                #expect((own.body["deliveries"] as? [[String: Any]])?.count == 25 && own.body["next"] is NSNull, "100 a page unless asked")

                for limit in ["0", "1001", "ten"] {
                    let wrong = try await client.json(.get, "/v1/events/\(eventID)/deliveries?limit=\(limit)", key: publisher)
                    let listing = try await client.json(.get, "/v1/deliveries?limit=\(limit)", key: publisher)
                    #expect(wrong.status == .unprocessableContent && wrong.headers[.contentType] == "application/problem+json")
                    let errors = wrong.body["errors"] as? [[String: String]]
                    #expect(errors == listing.body["errors"] as? [[String: String]] && errors?.first?["field"] == "limit", "\(wrong.body)")
                }
                let outsider = try await fixture.key("stadt-hagen", .deliveriesRead)
                #expect(try await client.json(.get, "/v1/events/\(eventID)/deliveries?limit=10", key: outsider).status == .notFound)
                #expect(try await client.json(.get, "/v1/events/\(eventID)/deliveries?limit=0", key: outsider).status == .notFound)
            }
        }
    }

    @Test("explain with 1200 matching subscriptions lists 1000, says truncated, and counts all 1200; siko explain says '… and 200 more'")
    func explainTruncates() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                let few = try await client.json(.post, "/v1/explain", key: publisher, body: Self.event)
                #expect(few.status == .ok && few.body["truncated"] as? Bool == false)

                try await subscribeRuhr(1200, in: fixture)
                let explained = try await client.json(.post, "/v1/explain", key: publisher, body: Self.event)
                #expect(explained.status == .ok)
                #expect(explained.body["truncated"] as? Bool == true)
                #expect((explained.body["subscriptions"] as? [[String: Any]])?.count == 1000)
                #expect(explained.body["considered"] as? Int == 1200)
                #expect(explained.body["deliveries"] as? Int == 1200)
                #expect(explained.body["send"] as? Int == 1200)
            }
            let event = try fixture.folder.write("event.json", Self.event)
            let run = try SikoBinary.run("explain", "--data", fixture.folder.path, "--partner", "stadt-essen", event)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("considered 1200, matched 1200: send 1200, defer 0, suppress 0"))
            #expect(run.stdout.split(separator: "\n").filter { $0.hasPrefix("sub_") }.count == 1000)
            #expect(run.stdout.hasSuffix("… and 200 more\n"), "\(run.stdout.suffix(200))")
        }
    }
}
