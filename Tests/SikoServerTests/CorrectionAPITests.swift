import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing

/// `POST /v1/events/{id}/update` and `/cancel` through the router: what is refused before anything is stored.
@Suite("Corrections over the API: replays and refusals")
struct CorrectionAPITests {
    @Test("a repeated Idempotency-Key answers the first update, but a body that is not valid is 422 whatever the key; a cancel needs a reason")
    func replays() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let essen = try await fixture.key("stadt-essen", .eventsPublish, .deliveriesRead)
                let original = try await client.json(.post, "/v1/events", key: essen, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage"}"#)
                let id = try #require(original.body["id"] as? String)
                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "korrektur-1"]
                let body = #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage, neu"}"#
                let first = try await client.json(.post, "/v1/events/\(id)/update", key: essen, body: body, headers: key)
                #expect(first.status == .accepted)
                let again = try await client.json(.post, "/v1/events/\(id)/update", key: essen, body: body, headers: key)
                #expect(again.status == .ok && again.body["duplicate"] as? Bool == true && again.body["id"] as? String == first.body["id"] as? String)
                let invalid = try await client.json(.post, "/v1/events/\(id)/update", key: essen, body: #"{"topic":"razzia","urgency":"sofort","areas":["essen"],"title":"x"}"#, headers: key)
                #expect(invalid.status == .unprocessableContent)
                let noReason = try await client.json(.post, "/v1/events/\(id)/cancel", key: essen, body: "{}")
                #expect(noReason.status == .unprocessableContent && (noReason.body["errors"] as? [[String: Any]])?.first?["field"] as? String == "reason")
                let unknown = try await client.json(.post, "/v1/events/evt_nothing/cancel", key: essen, body: #"{"reason":"x"}"#)
                #expect(unknown.status == .notFound)
            }
        }
    }
}
