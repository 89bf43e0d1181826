import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoTestSupport
import SikoTestGateway
import Testing
@testable import SikoServer
@testable import SikoCore

/// Thousands of malformed bodies at every write endpoint: never a 5xx, never a crash, and every
/// refusal is problem+json.
@Suite("Fuzz: malformed bodies at every write endpoint")
struct FuzzTests {
    /// Bodies a careless or hostile client might send, built from one seed.
    struct Mutator {
        var random: SeededGenerator

        mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        mutating func number(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }

        mutating func value(depth: Int = 0) -> String {
            switch number(0...(depth > 3 ? 6 : 9)) {
            case 0: return "null"
            case 1: return pick(["true", "false"])
            case 2: return pick(["0", "-1", "1e400", "-1e400", "123456789012345678901234567890", "0.000000000000000000001", "NaN", "1.5"])
            case 3: return "\"" + pick(["", "essen", "+4917012345678", "https://example.org/h", "razzia", "critical", "low", "sms", "ÜBUNG ß", "\\u0000", "\\ud800", "\\\"", "a\\nb"]) + "\""
            case 4: return "\"" + String(repeating: pick(["x", "ä", "🚨"]), count: number(100...3_000)) + "\""
            case 5: return "\"" + pick(["2026-11-25T06:00:00Z", "2001-01-01T00:00:00Z", "gestern", "9999-99-99T99:99:99Z"]) + "\""
            case 6: return String(repeating: "[", count: number(50...400)) + String(repeating: "]", count: number(0...400))
            case 7: return "[" + (0..<number(0...60)).map { _ in value(depth: depth + 1) }.joined(separator: ",") + "]"
            default: return object(depth: depth + 1)
            }
        }

        mutating func object(depth: Int = 0) -> String {
            let fields = ["externalId", "topic", "urgency", "areas", "title", "body", "classification", "expiresAt", "data", "exercise",
                          "name", "topics", "minUrgency", "channel", "target", "language", "enabled", "status", "event", "subscription",
                          "limit", "partner", "scopes", pick(["", "ö", "__proto__", String(repeating: "k", count: 500)])]
            return "{" + (0..<number(0...12)).map { _ in "\"\(pick(fields))\":\(value(depth: depth))" }.joined(separator: ",") + "}"
        }

        /// Valid JSON, broken JSON, or not UTF-8 at all.
        mutating func body() -> [UInt8] {
            switch number(0...9) {
            case 0: return (0..<number(1...400)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 1: return Array(object().utf8.dropLast(number(1...5)))
            case 2: return Array("{\"title\":\"".utf8) + [0xC3, 0x28, 0xFF, 0xFE] + Array("\"}".utf8)
            case 3: return Array(value().utf8)
            default: return Array(object().utf8)
            }
        }
    }

    @Test("1000 bodies for each write endpoint: every answer is below 500 and a refusal is problem+json", arguments: [UInt64(1)])
    func fuzz(seed: UInt64) async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                // A person's key, so bulletin bodies reach the bulletin service; publish-direct, so
                // event bodies reach validation rather than four eyes.
                let admin = try await fixture.key(
                    "geschaeftsstelle", person: Person(userID: "usr_fuzz", login: "fuzz", name: "Füzz Tester", roles: [.admin], cleared: false),
                    .admin, .eventsPublishDirect
                )
                let created = try await client.json(.post, "/v1/subscriptions", key: admin, body: """
                    {"name":"Ziel","areas":["essen"],"channel":"webhook","target":"https://example.org/hook"}
                    """)
                let subscription = try #require(created.body["id"] as? String)
                let endpoints: [(HTTPRequest.Method, String)] = [
                    (.post, "/v1/events"), (.post, "/v1/explain"), (.post, "/v1/subscriptions"), (.patch, "/v1/subscriptions/\(subscription)"),
                    (.post, "/v1/deliveries/retry"), (.post, "/v1/keys"), (.post, "/v1/bulletins"),
                ]
                var mutator = Mutator(random: SeededGenerator(seed: seed))
                var answered: [Int: Int] = [:]
                for (method, path) in endpoints {
                    for _ in 0..<1000 {
                        let body = mutator.body()
                        let response = try await client.execute(
                            uri: path, method: method,
                            headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"], body: ByteBuffer(bytes: body)
                        )
                        answered[response.status.code, default: 0] += 1
                        #expect(response.status.code < 500, "\(method) \(path) answered \(response.status.code) to \(String(decoding: body.prefix(300), as: UTF8.self))")
                        if response.status.code >= 400 {
                            #expect(response.headers[.contentType] == "application/problem+json", "\(method) \(path) \(response.status.code)")
                        }
                    }
                }
                #expect((answered[422] ?? 0) + (answered[400] ?? 0) > 3000, "most bodies are refused, and refused as bad input: \(answered)")
            }
        }
    }

    @Test("500 query strings for each reading endpoint and the SMS callback, 500 forged signatures: never a 5xx", arguments: [UInt64(2)])
    func fuzzQueriesAndSignatures(seed: UInt64) async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                var mutator = Mutator(random: SeededGenerator(seed: seed))
                let names = ["status", "channel", "limit", "after", "event", "subscription", "partner", "delivery", "token", "answer", "", "ä"]
                for path in ["/v1/deliveries", "/v1/audit", "/v1/keys", "/v1/callbacks/sms"] {
                    for _ in 0..<500 {
                        let query = (0..<mutator.number(0...6)).map { _ in
                            let value = mutator.pick([mutator.value(), String(mutator.number(-5...2000)), "dlv_x", ""])
                            return mutator.pick(names) + "=" + (String(value.prefix(300)).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                        }.joined(separator: "&")
                        let response = try await client.execute(
                            uri: path + "?" + query, method: path.hasSuffix("sms") ? mutator.pick([.get, .post]) : .get,
                            headers: [.authorization: "Bearer \(admin)"], body: path.hasSuffix("sms") ? ByteBuffer(bytes: mutator.body()) : nil
                        )
                        #expect(response.status.code < 500, "\(path)?\(query) answered \(response.status.code)")
                    }
                }
                let signing = try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: [.eventsPublish], requireSignature: true).key
                for _ in 0..<500 {
                    var headers: HTTPFields = [.authorization: "Bearer \(signing)", .contentType: "application/json"]
                    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] where mutator.number(0...4) > 0 {
                        let value = mutator.pick([mutator.value(), String(mutator.number(0...2_000_000_000)), "v1,AAAA v1,===", String(repeating: "v1,x ", count: 900)])
                        headers[HTTPField.Name(name)!] = value.filter { $0.isASCII && !$0.isNewline }
                    }
                    let response = try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: ByteBuffer(bytes: mutator.body()))
                    // 413 for the few bodies over 256 KiB, which are refused before their signature is read.
                    #expect(response.status == .unauthorized || response.status == .contentTooLarge, "a forged signature never gets through")
                }
            }
        }
    }
}
