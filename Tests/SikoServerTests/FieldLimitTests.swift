import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

@Suite("Field limits in characters and bytes; whole numbers in data stay exact")
struct FieldLimitTests {
    /// A JSON body with `fields` merged into a valid event.
    func event(_ fields: [String: Any]) throws -> String {
        var event: [String: Any] = ["topic": "razzia", "urgency": "high", "areas": ["essen"], "title": "Kontrolle"]
        event.merge(fields) { _, new in new }
        return String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
    }

    func fieldErrors(_ body: [String: Any]) -> [String: String] {
        Dictionary((body["errors"] as? [[String: String]] ?? []).map { ($0["field"] ?? "", $0["message"] ?? "") }) { first, _ in first }
    }

    @Test("a title of combining marks (one character, hundreds of bytes) is refused naming title; so are too many bytes in few characters")
    func combiningMarks() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let essen = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage)
                let marks = "a" + String(repeating: "\u{301}", count: 199)
                #expect(marks.count == 1 && marks.utf8.count == 399)
                let refused = try await client.json(.post, "/v1/events", key: essen, body: try event(["title": marks]))
                #expect(refused.status == .unprocessableContent)
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(fieldErrors(refused.body)["title"]?.contains("combining marks") == true, "\(refused.body)")

                // 200 characters of 11 bytes each: within the character bound, far past the byte bound.
                let heavy = String(repeating: "e" + String(repeating: "\u{308}", count: 5), count: 200)
                let tooManyBytes = try await client.json(.post, "/v1/events", key: essen, body: try event(["title": heavy, "body": heavy + heavy + heavy + heavy + heavy]))
                #expect(tooManyBytes.status == .unprocessableContent)
                let errors = fieldErrors(tooManyBytes.body)
                #expect(errors["title"]?.contains("800 bytes") == true, "\(tooManyBytes.body)")
                #expect(errors["body"] == nil, "1000 characters of 11 bytes fit the body's 80000 bytes")

                let name = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                    {"name":"\(marks)","areas":["essen"],"channel":"webhook","target":"https://lage.pp-essen.example/hook"}
                    """)
                #expect(name.status == .unprocessableContent)
                #expect(fieldErrors(name.body)["name"]?.contains("combining marks") == true, "\(name.body)")

                // Ordinary text at the limit still passes: 200 characters of 4 bytes each, and German with its marks composed or not.
                let sirens = String(repeating: "🚨", count: 200)
                #expect(try await client.json(.post, "/v1/events", key: essen, body: try event(["title": sirens])).status == .accepted)
                let decomposed = "Gru\u{308}ße aus Mu\u{308}lheim"
                #expect(try await client.json(.post, "/v1/events", key: essen, body: try event(["title": decomposed])).status == .accepted)
            }
        }
    }

    @Test("integers past 2^53 reach the webhook receiver and GET /v1/events/{id} digit for digit")
    func exactIntegers() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    let essen = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage, .deliveriesRead)
                    let subscribed = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                        {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                        """)
                    #expect(subscribed.status == .created)
                    let published = try await client.json(.post, "/v1/events", key: essen, body: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle",
                         "data":{"n":9007199254740993,"m":-9223372036854775807,"x":0.1,"list":[18014398509481985]}}
                        """)
                    #expect(published.status == .accepted)
                    let eventID = try #require(published.body["id"] as? String)
                    let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                    #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered)

                    let received = String(decoding: try #require(await inbox.received.first).body, as: UTF8.self)
                    for exact in [#""n":9007199254740993"#, #""m":-9223372036854775807"#, #""x":0.1"#, "[18014398509481985]"] {
                        #expect(received.contains(exact), "\(exact) in \(received)")
                    }
                    let shown = try await client.execute(
                        uri: "/v1/events/\(eventID)", method: .get, headers: [.authorization: "Bearer \(essen)"], body: nil
                    )
                    let text = String(buffer: shown.body)
                    #expect(shown.status == .ok)
                    #expect(text.contains(#""n":9007199254740993"#) && text.contains(#""m":-9223372036854775807"#), "\(text)")
                }
            }
        }
    }

    @Test("every field stops at its length and every list at its count, the 422 naming the field; the limit itself passes; Idempotency-Key is at most 255 characters")
    func lengthsAndCounts() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let essen = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage)
                func refused(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> Set<String> {
                    let answer = try await client.json(.post, path, key: essen, body: body, headers: headers)
                    #expect(answer.status == .unprocessableContent, "\(path): \(answer.body)")
                    return Set(fieldErrors(answer.body).keys)
                }
                func accepted(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> Bool {
                    let status = try await client.json(.post, path, key: essen, body: body, headers: headers).status
                    return status == .accepted || status == .created
                }
                let x = { (count: Int) in String(repeating: "x", count: count) }
                // Events: externalId 128, title 200, body 20000 characters; at most 50 areas.
                #expect(try await refused("/v1/events", try event(["externalId": x(129)])) == ["externalId"])
                #expect(try await accepted("/v1/events", try event(["externalId": x(128)])))
                #expect(try await refused("/v1/events", try event(["title": x(201)])) == ["title"])
                #expect(try await accepted("/v1/events", try event(["title": x(200)])))
                #expect(try await refused("/v1/events", try event(["body": x(20_001), "title": "Lang"])) == ["body"])
                #expect(try await accepted("/v1/events", try event(["body": x(20_000), "title": "Lang"])))
                #expect(try await refused("/v1/events", try event(["areas": Array(repeating: "essen", count: 51)])) == ["areas"])
                #expect(try await accepted("/v1/events", try event(["areas": Array(repeating: "essen", count: 50), "title": "Viele"])))

                // Subscriptions: name 200 characters, target 2048; at most 100 areas and 50 topics.
                func subscription(_ fields: [String: Any]) throws -> String {
                    var body: [String: Any] = ["name": "Lage", "areas": ["essen"], "channel": "webhook", "target": "https://lage.pp-essen.example/hook"]
                    body.merge(fields) { _, new in new }
                    return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                }
                #expect(try await refused("/v1/subscriptions", try subscription(["name": x(201)])) == ["name"])
                #expect(try await accepted("/v1/subscriptions", try subscription(["name": x(200)])))
                let longTarget = "https://lage.pp-essen.example/" + x(2049 - 30)
                #expect(longTarget.count == 2049)
                #expect(try await refused("/v1/subscriptions", try subscription(["target": longTarget])) == ["target"])
                #expect(try await refused("/v1/subscriptions", try subscription(["areas": Array(repeating: "essen", count: 101)])) == ["areas"])
                #expect(try await accepted("/v1/subscriptions", try subscription(["areas": Array(repeating: "essen", count: 100)])))
                #expect(try await refused("/v1/subscriptions", try subscription(["topics": Array(repeating: "razzia", count: 51)])) == ["topics"])
                #expect(try await accepted("/v1/subscriptions", try subscription(["topics": Array(repeating: "razzia", count: 50)])))

                // The Idempotency-Key header: 255 characters pass, 256 do not.
                let idempotency = HTTPField.Name("Idempotency-Key")!
                #expect(try await refused("/v1/events", try event(["title": "Schlüssel"]), headers: [idempotency: x(256)]) == ["Idempotency-Key"])
                #expect(try await accepted("/v1/events", try event(["title": "Schlüssel"]), headers: [idempotency: x(255)]))
                let replay = try await client.json(.post, "/v1/events", key: essen, body: try event(["title": "Schlüssel"]), headers: [idempotency: x(255)])
                #expect(replay.status == .ok && replay.body["duplicate"] as? Bool == true, "the whole 255-character key is remembered")
            }
        }
    }
}
