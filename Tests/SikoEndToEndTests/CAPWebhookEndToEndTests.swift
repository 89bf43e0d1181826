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

    @Test("a CAP alert in German and English: each webhook subscriber gets the block in its language")
    func languages() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in try await fixture.live { client in
            try await Inbox.serve(inbox) { url in
                let kreis = try await fixture.key("kreis-recklinghausen", .subscriptionsManage, .eventsPublish, .deliveriesRead)
                for language in ["de", "en"] {
                    _ = try await client.json(.post, "/v1/subscriptions", key: kreis, body: """
                        {"name":"\(language)","areas":["marl"],"channel":"webhook","target":"\(url)?for=\(language)","language":"\(language)"}
                        """)
                }
                let alert = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
                      <identifier>KR-L-1</identifier><sender>leitstelle@kreis-re.de</sender><sent>2026-12-01T03:10:00+01:00</sent>
                      <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
                      <info><language>en-GB</language><category>Security</category><event>Raid</event><urgency>Immediate</urgency>
                        <severity>Severe</severity><certainty>Observed</certainty><headline>Joint inspection in Marl</headline>
                        <description>Avoid the area.</description>
                        <area><areaDesc>Marl</areaDesc><geocode><valueName>AGS</valueName><value>05562024</value></geocode></area></info>
                      <info><language>de-DE</language><category>Security</category><event>Razzia</event><urgency>Immediate</urgency>
                        <severity>Severe</severity><certainty>Observed</certainty><headline>Großkontrolle in Marl</headline>
                        <description>Bereich meiden.</description>
                        <area><areaDesc>Marl</areaDesc><geocode><valueName>AGS</valueName><value>05562024</value></geocode></area></info>
                    </alert>
                    """
                let answer = try await client.json(.post, "/v1/events", key: kreis, body: alert, headers: [.contentType: "application/cap+xml"])
                let id = try #require(answer.body["id"] as? String)
                for delivery in try await fixture.store.deliveries(eventID: id) {
                    #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered)
                }
                var titles: [String: String] = [:]
                for request in await inbox.received {
                    let payload = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
                    let event = try #require(payload["event"] as? [String: Any])
                    titles[request.query ?? "?"] = "\(event["title"] ?? "")|\(event["body"] ?? "")"
                }
                #expect(titles == ["for=de": "Großkontrolle in Marl|Bereich meiden.", "for=en": "Joint inspection in Marl|Avoid the area."])
            }
        } }
    }
}
