import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing
@testable import SikoCore

/// Berichtigen and Aufheben of a published bulletin over the API: a new bulletin that goes
/// through four eyes again and then reaches the published event's recipients. No dispatcher runs,
/// so what is planned stays planned.
@Suite("Bulletins: corrections and cancellations with four eyes, to the original recipients")
struct BulletinCorrectionTests {
    let content = #"{"topic":"lagebild","urgency":"high","areas":["essen"],"title":"Großlage Rüttenscheid","body":"Sperrung ab 20 Uhr."}"#

    @Test("Berichtigen: a draft that corrects, four eyes again, then an update to the published event's recipients only")
    func correct() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let anna = try await fixture.key("geschaeftsstelle", person: BulletinAPITests.person("anna", "Anna Schmidt", .editor), .bulletinsSend, .bulletinsApprove)
                let jens = try await fixture.key("geschaeftsstelle", person: BulletinAPITests.person("jens", "Jens Müller", .approver), .bulletinsApprove)
                let essen = try await fixture.key("stadt-essen", .subscriptionsManage)
                let before = try await client.json(.post, "/v1/subscriptions", key: essen, body: #"{"name":"vorher","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:9/a"}"#)
                let subscribed = try #require(before.body["id"] as? String)

                let id = try #require(try await client.json(.post, "/v1/bulletins", key: anna, body: content).body["id"] as? String)
                _ = try await client.json(.post, "/v1/bulletins/\(id)/submit", key: anna)
                let eventId = try #require(try await client.json(.post, "/v1/bulletins/\(id)/approve", key: jens).body["eventId"] as? String)
                _ = try await client.json(.post, "/v1/subscriptions", key: essen, body: #"{"name":"danach","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:9/b"}"#)

                let draft = try await client.json(.post, "/v1/bulletins/\(id)/update", key: anna, body: content.replacingOccurrences(of: "20 Uhr", with: "22 Uhr"))
                #expect(draft.status == .created && draft.body["status"] as? String == "draft")
                let corrects = try #require(draft.body["corrects"] as? [String: Any])
                #expect(corrects["kind"] as? String == "update" && corrects["bulletin"] as? String == id && corrects["event"] as? String == eventId)
                let correctionID = try #require(draft.body["id"] as? String)
                _ = try await client.json(.post, "/v1/bulletins/\(correctionID)/submit", key: anna)
                let own = try await client.json(.post, "/v1/bulletins/\(correctionID)/approve", key: anna)
                #expect(own.status == .forbidden && own.body["type"] as? String == "urn:siko:problem:four-eyes", "the writer of the correction may not approve it")

                let approved = try await client.json(.post, "/v1/bulletins/\(correctionID)/approve", key: jens)
                #expect(approved.body["status"] as? String == "published")
                let updateID = try #require(approved.body["eventId"] as? String)
                let update = try #require(try await fixture.store.event(id: updateID))
                #expect(update.messageType == .update && update.references == [eventId] && update.body == "Sperrung ab 22 Uhr.")
                let deliveries = try await fixture.store.deliveries(eventID: updateID)
                #expect(deliveries.map(\.subscriptionId) == [subscribed], "the subscription made after publication hears nothing of the correction")
                let superseded = try await fixture.store.deliveries(eventID: eventId)
                #expect(superseded.allSatisfy { $0.status == .suppressed && $0.lastError == "superseded by \(updateID)" })
            }
        }
    }

    @Test("Aufheben: a reason is required; four eyes; then the cancellation; a second one, or correcting a draft, is refused")
    func cancel() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let anna = try await fixture.key("geschaeftsstelle", person: BulletinAPITests.person("anna", "Anna Schmidt", .editor), .bulletinsSend, .bulletinsApprove)
                let jens = try await fixture.key("geschaeftsstelle", person: BulletinAPITests.person("jens", "Jens Müller", .approver), .bulletinsApprove)
                let id = try #require(try await client.json(.post, "/v1/bulletins", key: anna, body: content).body["id"] as? String)
                let early = try await client.json(.post, "/v1/bulletins/\(id)/cancel", key: anna, body: #"{"reason":"zu früh"}"#)
                #expect(early.status == .conflict && early.body["type"] as? String == "urn:siko:problem:not-published")
                _ = try await client.json(.post, "/v1/bulletins/\(id)/submit", key: anna)
                let eventId = try #require(try await client.json(.post, "/v1/bulletins/\(id)/approve", key: jens).body["eventId"] as? String)

                let noReason = try await client.json(.post, "/v1/bulletins/\(id)/cancel", key: anna, body: #"{"reason":"  "}"#)
                #expect(noReason.status == .unprocessableContent)
                #expect((noReason.body["errors"] as? [[String: Any]])?.first?["field"] as? String == "reason")
                let draft = try await client.json(.post, "/v1/bulletins/\(id)/cancel", key: anna, body: #"{"reason":"Lage beendet"}"#)
                let cancelID = try #require(draft.body["id"] as? String)
                #expect((draft.body["corrects"] as? [String: Any])?["kind"] as? String == "cancel")
                #expect((draft.body["content"] as? [String: Any])?["body"] as? String == "Lage beendet")
                _ = try await client.json(.post, "/v1/bulletins/\(cancelID)/submit", key: anna)
                let approved = try await client.json(.post, "/v1/bulletins/\(cancelID)/approve", key: jens)
                let cancellationID = try #require(approved.body["eventId"] as? String)
                let cancellation = try #require(try await fixture.store.event(id: cancellationID))
                #expect(cancellation.messageType == .cancel && cancellation.title == "Großlage Rüttenscheid" && cancellation.body == "Lage beendet")

                let again = try await client.json(.post, "/v1/bulletins/\(id)/update", key: anna, body: content)
                #expect(again.status == .conflict && again.body["type"] as? String == "urn:siko:problem:already-cancelled")
                let reader = try await fixture.key("geschaeftsstelle", .deliveriesRead)
                let shown = try await client.json(.get, "/v1/events/\(eventId)", key: reader)
                #expect((shown.body["chain"] as? [[String: Any]])?.map { $0["messageType"] as? String } == ["alert", "cancel"])
            }
        }
    }
}
