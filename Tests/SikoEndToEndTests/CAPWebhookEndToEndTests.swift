import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoChannels
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

/// A webhook subscription with `"format": "cap"` over real sockets: the receiver gets a CAP 1.2
/// alert, signed like JSON, that xmllint validates against the OASIS XSD.
@Suite("End to end: webhooks in CAP")
struct CAPWebhookEndToEndTests {
    @Test("format cap: application/cap+xml, a valid signature over the body, an alert that validates; an update carries its references")
    func capWebhook() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in try await fixture.live { client in
            try await Inbox.serve(inbox) { url in
                let essen = try await fixture.key("stadt-essen", .subscriptionsManage, .eventsPublish, .deliveriesRead)
                let created = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                    {"name":"Leitstelle","areas":["essen"],"channel":"webhook","target":"\(url)","format":"cap"}
                    """)
                #expect(created.status == .created && created.body["format"] as? String == "cap", "\(created.body)")
                let secret = try #require(created.body["secret"] as? String)
                let original = try await client.json(.post, "/v1/events", key: essen, body: """
                    {"topic":"razzia","urgency":"critical","areas":["essen"],"title":"Großkontrolle & Sperrung","body":"Bitte <meiden>."}
                    """)
                let id = try #require(original.body["id"] as? String)
                let update = try await client.json(.post, "/v1/events/\(id)/update", key: essen, body: """
                    {"topic":"razzia","urgency":"critical","areas":["essen"],"title":"Sperrung aufgehoben"}
                    """)
                let updateID = try #require(update.body["id"] as? String)
                for event in [id, updateID] {
                    let delivery = try #require(try await fixture.store.deliveries(eventID: event).first)
                    #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered)
                }
                let received = await inbox.received
                #expect(received.count == 2)
                for request in received {
                    #expect(request.headers["content-type"] == "application/cap+xml")
                    let deliveryID = try #require(request.headers["webhook-id"])
                    let timestamp = try #require(Int(request.headers["webhook-timestamp"] ?? ""))
                    let signature = try WebhookSigner(secret: secret).signature(id: deliveryID, timestamp: timestamp, body: request.body)
                    #expect(request.headers["webhook-signature"] == signature)
                    let xml = String(decoding: request.body, as: UTF8.self)
                    #expect(try XMLLint.check(xml, schema: XMLLint.capSchema) == nil, "\(xml)")
                }
                let first = String(decoding: received[0].body, as: UTF8.self)
                #expect(first.contains("<headline>Großkontrolle &amp; Sperrung</headline>") && first.contains("<msgType>Alert</msgType>"))
                let second = String(decoding: received[1].body, as: UTF8.self)
                #expect(second.contains("<msgType>Update</msgType>") && second.contains("<references>") && second.contains(",\(id),"))
            }
        } }
    }
}
