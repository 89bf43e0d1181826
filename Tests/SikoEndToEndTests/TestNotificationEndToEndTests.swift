import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoChannels
import SikoConfig
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

/// `POST /v1/subscriptions/{id}/test` over real sockets: the dispatcher sends the marked test to a
/// real webhook receiver and through libcurl to a real SMTP server.
@Suite("End to end: test notifications")
struct TestNotificationEndToEndTests {
    @Test("a webhook receiver gets one signed POST marked test: true, only for the subscription tested")
    func webhook() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in try await fixture.live { client in
            try await Inbox.serve(inbox) { url in
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage, .deliveriesRead)
                var ids: [String] = [], secrets: [String] = []
                for name in ["Lagedienst Nord", "Lagedienst Süd"] {
                    let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"\(name)","areas":["essen"],"topics":["razzia"],"channel":"webhook","target":"\(url)?for=\(ids.count)"}
                        """)
                    ids.append(try #require(created.body["id"] as? String))
                    secrets.append(try #require(created.body["secret"] as? String))
                }
                let sent = try await client.json(.post, "/v1/subscriptions/\(ids[1])/test", key: manager)
                #expect(sent.status == .accepted)
                let deliveryID = try #require(sent.body["deliveryId"] as? String)
                let delivery = try #require(try await fixture.waitForFinal(deliveryID))
                #expect(delivery.status == .delivered && delivery.attempts == 1)
                let followed = try await client.json(.get, "/v1/deliveries/\(deliveryID)", key: manager)
                #expect(followed.body["status"] as? String == "delivered")

                try await Task.sleep(for: .milliseconds(300))
                let received = await inbox.received
                #expect(received.count == 1, "the other subscription got nothing")
                let request = try #require(received.first)
                #expect(request.headers["webhook-id"] == deliveryID)
                let timestamp = try #require(Int(request.headers["webhook-timestamp"] ?? ""))
                let signature = try WebhookSigner(secret: secrets[1]).signature(id: deliveryID, timestamp: timestamp, body: request.body)
                #expect(request.headers["webhook-signature"] == signature, "signed with the tested subscription's own secret")
                let payload = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
                #expect(payload["type"] as? String == "event.published" && payload["subscriptionId"] as? String == ids[1])
                let event = try #require(payload["event"] as? [String: Any])
                #expect(event["test"] as? Bool == true && event["exercise"] as? Bool == false)
                #expect(event["title"] as? String == "Test des Abonnements \"Lagedienst Süd\"")
                #expect((event["body"] as? String)?.contains("es ist nichts zu tun") == true)
                #expect(event["id"] as? String == sent.body["eventId"] as? String)
            }
        } }
    }

    @Test("an email subscription gets a mail whose subject says TESTNACHRICHT, in German, and English for English subscribers")
    func email() async throws {
        try await SMTPTestServer.with { server in
            try await TestGateway.withGateway(email: server.channel()) { fixture in try await fixture.live { client in
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                for (name, language) in [("Lagedienst Nord", "de"), ("Duty officer", "en")] {
                    let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"\(name)","areas":["essen"],"channel":"email","target":"\(language)@polizei.example","language":"\(language)"}
                        """)
                    let id = try #require(created.body["id"] as? String)
                    let sent = try await client.json(.post, "/v1/subscriptions/\(id)/test", key: manager)
                    let deliveryID = try #require(sent.body["deliveryId"] as? String)
                    #expect(try await fixture.waitForFinal(deliveryID)?.status == .sent)
                }
                let messages = try server.messages()
                #expect(messages.count == 2)
                let german = try #require(messages.first { ($0["to"] as? String)?.contains("de@polizei.example") == true })
                #expect(german["subject"] as? String == "TESTNACHRICHT – Test des Abonnements \"Lagedienst Nord\"")
                #expect((german["text"] as? String)?.hasPrefix("*** TESTNACHRICHT – keine echte Lage ***") == true)
                #expect((german["text"] as? String)?.contains("es ist nichts zu tun") == true)
                let english = try #require(messages.first { ($0["to"] as? String)?.contains("en@polizei.example") == true })
                #expect((english["subject"] as? String)?.hasPrefix("TESTNACHRICHT (TEST MESSAGE) – Test of the subscription") == true)
                #expect((english["text"] as? String)?.contains("no action is needed") == true)
            } }
        }
    }
}
