import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoConfig
import SikoModel
import SikoTestGateway
import Testing
@testable import SikoServer

@Suite("HTTP API: a webhook subscription asking for CAP")
struct SubscriptionFormatTests {
    func withAPI(email: Bool = false, _ body: @escaping @Sendable (TestGateway, any TestClientProtocol) async throws -> Void) async throws {
        func run(_ settings: ChannelSettings<EmailOptions>?) async throws {
            try await TestGateway.withGateway(email: settings) { fixture in
                try await Application(router: fixture.router).test(.router) { client in try await body(fixture, client) }
            }
        }
        // Email must be configured, or its subscriptions fail on `channel` before `format` is looked at.
        if email { try await SMTPTestServer.with { server in try await run(server.channel()) } } else { try await run(nil) }
    }

    func body(channel: String = "webhook", target: String = "https://lage.pp-essen.example/hooks/siko", format: String? = nil) -> String {
        let field = format.map { #","format":"\#($0)""# } ?? ""
        return #"{"name":"Lagedienst PP Essen","areas":["essen"],"channel":"\#(channel)","target":"\#(target)"\#(field)}"#
    }

    func errors(_ response: (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields)) -> [String: String] {
        let list = response.body["errors"] as? [[String: Any]] ?? []
        return Dictionary(list.compactMap { error in (error["field"] as? String).map { ($0, error["message"] as? String ?? "") } }, uniquingKeysWith: { first, _ in first })
    }

    @Test("a webhook subscription created with format cap answers it back, and GET and the list show it; left out it is json")
    func createCAP() async throws {
        try await withAPI { fixture, client in
            let essen = try await fixture.key("stadt-essen", .subscriptionsManage)
            let created = try await client.json(.post, "/v1/subscriptions", key: essen, body: body(format: "cap"))
            #expect(created.status == .created)
            #expect(created.body["format"] as? String == "cap")
            let id = try #require(created.body["id"] as? String)
            #expect(try await client.json(.get, "/v1/subscriptions/\(id)", key: essen).body["format"] as? String == "cap")
            let plain = try await client.json(.post, "/v1/subscriptions", key: essen, body: body(target: "https://lage2.pp-essen.example/hooks/siko"))
            #expect(plain.status == .created && plain.body["format"] as? String == "json")
            let listed = try await client.json(.get, "/v1/subscriptions", key: essen).body["subscriptions"] as? [[String: Any]] ?? []
            let formats = Dictionary(uniqueKeysWithValues: listed.compactMap { item in (item["id"] as? String).map { ($0, item["format"] as? String) } })
            #expect(formats == [id: "cap", try #require(plain.body["id"] as? String): "json"])
        }
    }

    @Test("format cap on email and an unknown format answer 422 naming format, and nothing is stored")
    func refused() async throws {
        try await withAPI(email: true) { fixture, client in
            let essen = try await fixture.key("stadt-essen", .subscriptionsManage)
            let email = try await client.json(.post, "/v1/subscriptions", key: essen, body: body(channel: "email", target: "lage@polizei.nrw.de", format: "cap"))
            #expect(email.status == .unprocessableContent)
            #expect(errors(email) == ["format": "only a webhook receives CAP; email and SMS are read by people"])
            let unknown = try await client.json(.post, "/v1/subscriptions", key: essen, body: body(format: "xml"))
            #expect(unknown.status == .unprocessableContent)
            #expect(errors(unknown) == ["format": "must be json or cap"])
            #expect((try await client.json(.get, "/v1/subscriptions", key: essen).body["subscriptions"] as? [Any])?.isEmpty == true)

            let mail = try await client.json(.post, "/v1/subscriptions", key: essen, body: body(channel: "email", target: "lage@polizei.nrw.de", format: "json"))
            #expect(mail.status == .created && mail.body["format"] as? String == "json", "json is what email gets anyway")
            let id = try #require(mail.body["id"] as? String)
            let patched = try await client.json(.patch, "/v1/subscriptions/\(id)", key: essen, body: #"{"format":"cap"}"#)
            #expect(patched.status == .unprocessableContent)
            #expect(errors(patched).keys.sorted() == ["format"])
            #expect(try await client.json(.get, "/v1/subscriptions/\(id)", key: essen).body["format"] as? String == "json")
        }
    }

    @Test("PATCH to format cap is answered and kept; an unknown format leaves it as it was")
    func patchCAP() async throws {
        try await withAPI { fixture, client in
            let essen = try await fixture.key("stadt-essen", .subscriptionsManage)
            let created = try await client.json(.post, "/v1/subscriptions", key: essen, body: body())
            let id = try #require(created.body["id"] as? String)
            #expect(created.body["format"] as? String == "json")
            let patched = try await client.json(.patch, "/v1/subscriptions/\(id)", key: essen, body: #"{"format":"cap"}"#)
            #expect(patched.status == .ok && patched.body["format"] as? String == "cap")
            #expect(try await client.json(.get, "/v1/subscriptions/\(id)", key: essen).body["format"] as? String == "cap")
            let renamed = try await client.json(.patch, "/v1/subscriptions/\(id)", key: essen, body: #"{"name":"Lagedienst Nacht"}"#)
            #expect(renamed.status == .ok && renamed.body["format"] as? String == "cap", "a PATCH without format keeps it")
            let wrong = try await client.json(.patch, "/v1/subscriptions/\(id)", key: essen, body: #"{"format":"XML"}"#)
            #expect(wrong.status == .unprocessableContent && errors(wrong) == ["format": "must be json or cap"])
            #expect(try await client.json(.get, "/v1/subscriptions/\(id)", key: essen).body["format"] as? String == "cap")
        }
    }
}
