import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing
@testable import SikoCore

@Suite("HTTP API: bulletins with four eyes, and the Geschäftsstelle's direct publishing")
struct BulletinAPITests {
    let body = #"{"topic":"lagebild","urgency":"high","areas":["essen"],"title":"Großlage Rüttenscheid","body":"Sperrung ab 20 Uhr.","externalId":"ignored"}"#

    static func person(_ login: String, _ name: String, _ role: Role) -> Person {
        Person(userID: "usr_\(login)", login: login, name: name, roles: [role], cleared: false)
    }

    func withAPI(_ body: @escaping @Sendable (TestGateway, any TestClientProtocol) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in try await body(fixture, client) }
        }
    }

    func expectProblem(_ response: (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields), _ status: HTTPResponse.Status, _ type: String) {
        #expect(response.status == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(response.body["type"] as? String == "urn:siko:problem:\(type)")
        #expect(response.body["status"] as? Int == Int(status.code))
        #expect((response.body["detail"] as? String)?.isEmpty == false)
    }

    @Test("write, submit, approve by another person: 201, then published with its event; the author gets 403 four-eyes")
    func flow() async throws {
        try await withAPI { fixture, client in
            let anna = try await fixture.key("geschaeftsstelle", person: Self.person("anna", "Anna Schmidt", .editor), .bulletinsSend, .bulletinsApprove)
            let jens = try await fixture.key("geschaeftsstelle", person: Self.person("jens", "Jens Müller", .approver), .bulletinsApprove)
            let created = try await client.json(.post, "/v1/bulletins", key: anna, body: body)
            #expect(created.status == .created)
            let id = try #require(created.body["id"] as? String)
            #expect(id.hasPrefix("blt_"))
            #expect(created.body["status"] as? String == "draft")
            #expect(created.body["version"] as? Int == 1)
            #expect((created.body["author"] as? [String: Any])?["login"] as? String == "anna")
            #expect((created.body["content"] as? [String: Any])?["externalId"] == nil, "the gateway gives the external id")

            let edited = try await client.json(.put, "/v1/bulletins/\(id)", key: anna, body: body.replacingOccurrences(of: "20 Uhr", with: "21 Uhr"))
            #expect(edited.status == .ok)
            #expect(edited.body["version"] as? Int == 2)
            #expect(try await client.json(.post, "/v1/bulletins/\(id)/submit", key: anna).body["status"] as? String == "submitted")
            expectProblem(try await client.json(.post, "/v1/bulletins/\(id)/approve", key: anna), .forbidden, "four-eyes")
            expectProblem(try await client.json(.post, "/v1/bulletins/\(id)/approve", key: jens, body: #"{"version":1}"#), .conflict, "version-conflict")

            let approved = try await client.json(.post, "/v1/bulletins/\(id)/approve", key: jens, body: #"{"version":2}"#)
            #expect(approved.status == .ok)
            #expect(approved.body["status"] as? String == "published")
            let eventId = try #require(approved.body["eventId"] as? String)
            #expect(eventId.hasPrefix("evt_"))
            expectProblem(try await client.json(.post, "/v1/bulletins/\(id)/submit", key: anna), .conflict, "wrong-state")

            let shown = try await client.json(.get, "/v1/bulletins/\(id)", key: jens)
            #expect(shown.status == .ok)
            #expect((shown.body["versions"] as? [[String: Any]])?.count == 2)
            let history = try #require(shown.body["history"] as? [[String: Any]])
            #expect(history.map { $0["action"] as? String } == ["created", "edited", "submitted", "approved"])
            #expect((history.last?["by"] as? [String: Any])?["name"] as? String == "Jens Müller")
            let listed = try await client.json(.get, "/v1/bulletins?status=published", key: jens)
            #expect((listed.body["bulletins"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(try await client.json(.get, "/v1/bulletins?status=nonsense", key: jens).status == .unprocessableContent)
        }
    }

    @Test("a key without a person, another partner, an unknown bulletin and a reject without reason answer problem+json")
    func refusals() async throws {
        try await withAPI { fixture, client in
            let system = try await fixture.key("geschaeftsstelle", .bulletinsSend, .bulletinsApprove)
            let refused = try await client.json(.post, "/v1/bulletins", key: system, body: body)
            expectProblem(refused, .forbidden, "person-required")
            #expect((refused.body["detail"] as? String)?.contains("Person") == true)
            // An editor of a city may not write bulletins: her roles do not give her key the scope.
            let essen = try await fixture.key("stadt-essen", person: Self.person("emma", "Emma Berg", .editor), .bulletinsSend)
            expectProblem(try await client.json(.post, "/v1/bulletins", key: essen, body: body), .forbidden, "missing-scope")
            // A system's key of a city with the scope is still not the Geschäftsstelle.
            let city = try await fixture.key("stadt-essen", .bulletinsSend)
            expectProblem(try await client.json(.post, "/v1/bulletins", key: city, body: body), .forbidden, "central-office-only")
            let anna = try await fixture.key("geschaeftsstelle", person: Self.person("anna", "Anna Schmidt", .editor), .bulletinsSend)
            let jens = try await fixture.key("geschaeftsstelle", person: Self.person("jens", "Jens Müller", .approver), .bulletinsApprove)
            expectProblem(try await client.json(.post, "/v1/bulletins/blt_unknown/submit", key: anna), .notFound, "not-found")
            expectProblem(try await client.json(.get, "/v1/bulletins/blt_unknown", key: anna), .notFound, "not-found")
            let invalid = try await client.json(.post, "/v1/bulletins", key: anna, body: #"{"topic":"lagebild","urgency":"high","areas":["atlantis"]}"#)
            #expect(invalid.status == .unprocessableContent)
            let id = try #require(try await client.json(.post, "/v1/bulletins", key: anna, body: body).body["id"] as? String)
            _ = try await client.json(.post, "/v1/bulletins/\(id)/submit", key: anna)
            #expect(try await client.json(.post, "/v1/bulletins/\(id)/reject", key: jens, body: "{}").status == .unprocessableContent)
            let rejected = try await client.json(.post, "/v1/bulletins/\(id)/reject", key: jens, body: #"{"reason":"Bitte Uhrzeit prüfen"}"#)
            #expect(rejected.body["status"] as? String == "rejected")
            #expect(try await client.json(.post, "/v1/bulletins/\(id)/withdraw", key: anna).body["status"] as? String == "withdrawn")
        }
    }

    @Test("POST /v1/events as the Geschäftsstelle: 403 four-eyes-required, unless the key has events:publish-direct, which the audit names")
    func publishDirect() async throws {
        try await withAPI { fixture, client in
            let event = #"{"topic":"lagebild","urgency":"high","areas":["ruhr"],"title":"Lagebild"}"#
            for scopes in [[Scope.admin], [.eventsPublish], [.admin, .eventsPublish]] {
                let key = try await fixture.gateway.keys.issue(partner: "geschaeftsstelle", scopes: Set(scopes)).key
                expectProblem(try await client.json(.post, "/v1/events", key: key, body: event), .forbidden, "four-eyes-required")
            }
            let direct = try await fixture.gateway.keys.issue(partner: "geschaeftsstelle", scopes: [.eventsPublish, .eventsPublishDirect])
            let published = try await client.json(.post, "/v1/events", key: direct.key, body: event)
            #expect(published.status == .accepted)
            let id = try #require(published.body["id"] as? String)
            let entry = try #require(try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).last { $0.record.object == id })
            #expect(entry.record.actor == direct.record.id)
            #expect(entry.record.detail?.hasSuffix("publish-direct") == true)
            let essen = try await fixture.key("stadt-essen", .eventsPublish)
            let other = try await client.json(.post, "/v1/events", key: essen, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#)
            #expect(other.status == .accepted, "other partners publish as before")
            let otherEntry = try #require(try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).last)
            #expect(otherEntry.record.detail?.contains("publish-direct") == false)
        }
    }
}
