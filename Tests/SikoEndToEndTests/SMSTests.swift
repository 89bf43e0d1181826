import AsyncHTTPClient
import Foundation
import ServiceLifecycle
import Hummingbird
import HummingbirdTesting
import SikoConfig
import SikoModel
import SikoSQLite
import SikoTestSupport
import SikoTestGateway
import Testing
@testable import SikoChannels
@testable import SikoServer
@testable import SikoCore

/// SMS through a real Kannel to its fake SMSC.
@Suite("SMS through Kannel", .serialized)
struct SMSTests {
    /// Without Kannel every test here fails saying so, rather than with a bare "file not found".
    init() throws {
        try #require(KannelHarness.available, "Debian's kannel and kannel-extras are missing (bearerbox, smsbox, fakesmsc): run `make test`")
    }

    func job(title: String, body: String? = nil, classification: Classification = .public, to target: String = "+4917012345678") -> DeliveryJob {
        let now = Date(timeIntervalSince1970: 1_795_572_000)
        let event = Event(
            id: Identifier.make("evt"), externalId: nil, publisher: "stadt-essen", topic: "razzia", urgency: .high, areas: ["essen"],
            title: title, body: body, classification: classification, publishedAt: now, expiresAt: nil, data: nil
        )
        let delivery = Delivery(
            id: Identifier.make("dlv"), eventId: event.id, subscriptionId: "sub_1", partner: "stadt-essen", channel: .sms,
            target: target, status: .sending, attempts: 1, nextAttemptAt: nil, createdAt: now, updatedAt: now
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: .de)
    }

    func channel(_ kannel: KannelHarness, password: String = "geheim") throws -> SMSChannel {
        let options = SMSOptions(
            url: kannel.sendsmsURL, from: "SiKoRuhr", user: "siko", password: password, links: Links(publicURL: "https://siko.example"),
            allowPrivateTargets: [CIDR("127.0.0.0/8")!]
        )
        return SMSChannel(
            options: options, templates: try SMSTemplates.load(directory: Repository.channels + "/templates"), reference: Repository.reference,
            gateway: KannelGateway(options: options, timeout: .seconds(10))
        )
    }

    @Test("umlauts and ß arrive intact at the SMSC, as GSM-7")
    func umlauts() async throws {
        try await KannelHarness.with { kannel in
            let channel = try channel(kannel)
            let job = job(title: "Großkontrolle Altendorfer Straße: Übung in Mülheim")
            let report = await channel.send(job)
            try await channel.shutdown()
            #expect(report.outcome == .sent)
            let expected = "HOCH: Razzia / Großkontrolle Essen: Großkontrolle Altendorfer Straße: Übung in Mülheim (Stadt Essen, 25.11.2026, 03:00 Uhr) https://siko.example/meldungen/\(job.event.id)"
            #expect(SMSText.encoding(of: expected) == .gsm7 && SMSText.segments(of: expected) == 2)
            let text = try #require(try await kannel.texts(expectedParts: 2).first)
            #expect(text == expected)
            let parts = kannel.received()
            #expect(parts.count == 2 && parts.allSatisfy { $0.to == "+4917012345678" && $0.from == "SiKoRuhr" })
        }
    }

    @Test("&, =, + and % in the text arrive as written (query escaping)")
    func reservedCharacters() async throws {
        try await KannelHarness.with { kannel in
            let channel = try channel(kannel)
            _ = await channel.send(job(title: "Öl & Gas: 50% = A+B?"))
            try await channel.shutdown()
            let text = try #require(try await kannel.texts(expectedParts: 1).first)
            #expect(text.contains("Öl & Gas: 50% = A+B?"))
        }
    }

    @Test("text outside GSM-7 goes as UCS-2 and arrives intact")
    func ucs2() async throws {
        try await KannelHarness.with { kannel in
            let channel = try channel(kannel)
            let job = job(title: "Alarm 🚨 „Einsatz“")
            let sent = channel.message(for: job)
            #expect(sent.encoding == .ucs2)
            #expect(await channel.send(job).outcome == .sent)
            try await channel.shutdown()
            let text = try #require(try await kannel.texts(expectedParts: SMSText.segments(of: sent.text)).first)
            #expect(text == sent.text)
            #expect(text.contains("Alarm 🚨 „Einsatz“ (Stadt Essen"))
        }
    }

    @Test("a long text is cut to 3 segments and sent concatenated, ending in the link")
    func concatenated() async throws {
        try await KannelHarness.with { kannel in
            let channel = try channel(kannel)
            let job = job(title: "Lagebild Essen", body: String(repeating: "Kontrolle von Gaststätten und Shisha-Bars im Stadtgebiet. ", count: 20))
            let text = channel.message(for: job).text
            #expect(SMSText.segments(of: text) == 3)
            #expect(text.hasSuffix("... https://siko.example/meldungen/\(job.event.id)"))
            #expect(await channel.send(job).outcome == .sent)
            try await channel.shutdown()
            let texts = try await kannel.texts(expectedParts: 3)
            #expect(kannel.received().count == 3 && kannel.received().allSatisfy { $0.type == "udh" })
            #expect(texts == [text], "the phone reassembles the cut text whole")
        }
    }

    @Test("a restricted event sends the teaser only")
    func restricted() async throws {
        try await KannelHarness.with { kannel in
            let channel = try channel(kannel)
            _ = await channel.send(job(title: "Zugriff Objekt Altendorfer Straße", body: "Aktenzeichen 4711", classification: .restricted))
            try await channel.shutdown()
            let text = try #require(try await kannel.texts(expectedParts: 1).first)
            #expect(text.hasPrefix("HOCH: Neue Meldung - VS-NfD - bitte im Portal abrufen: https://siko.example/meldungen/"))
            #expect(!text.contains("Altendorfer") && !text.contains("4711"))
        }
    }

    @Test("the gateway's refusal (4xx) is dead with its answer; no gateway is retried")
    func refusals() async throws {
        try await KannelHarness.with { kannel in
            let channel = try channel(kannel, password: "falsch")
            let refused = await channel.send(job(title: "x"))
            try await channel.shutdown()
            guard case .permanent(let reason) = refused.outcome else { Issue.record("expected dead, got \(refused)"); return }
            #expect(reason.hasPrefix("SMS gateway 403"))
        }
        let unreachableGateway = SMSOptions(
            url: "http://127.0.0.1:9/cgi-bin/sendsms", from: "SiKoRuhr", user: "siko", password: "x", links: Links(publicURL: "https://siko.example"),
            maxSegments: 1, allowPrivateTargets: [CIDR("127.0.0.0/8")!]
        )
        let nowhere = SMSChannel(
            options: unreachableGateway, templates: try SMSTemplates.load(directory: Repository.channels + "/templates"),
            reference: Repository.reference, gateway: KannelGateway(options: unreachableGateway, timeout: .seconds(2))
        )
        let unreachable = await nowhere.send(job(title: "x"))
        try await nowhere.shutdown()
        guard case .retry = unreachable.outcome else { Issue.record("expected a retry, got \(unreachable)"); return }
    }

    @Test("through the gateway: an SMS subscription, an event, the message at the SMSC; bad numbers refused")
    func throughTheGateway() async throws {
        try await KannelHarness.with { kannel in
            let sms = ChannelSettings(
                retrySchedule: RetrySchedule(delays: [.zero]), timeout: .seconds(10), concurrency: 2,
                options: SMSOptions(url: kannel.sendsmsURL, from: "SiKoRuhr", user: "siko", password: "geheim", links: Links(publicURL: "https://siko.example"), maxSegments: 3)
            )
            try await TestGateway.withGateway(sms: sms) { fixture in
                try await GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0).test(.live) { client in
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: #"{"name":"Bereitschaft","areas":["essen"],"channel":"sms","target":"+4917012345678"}"#)
                    #expect(created.status == .created)
                    let national = try await client.json(.post, "/v1/subscriptions", key: manager, body: #"{"name":"x","areas":["essen"],"channel":"sms","target":"0170 12345678"}"#)
                    #expect(national.status == .unprocessableContent)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let published = try await client.json(.post, "/v1/events", key: publisher, body: #"{"topic":"razzia","urgency":"critical","areas":["essen"],"title":"Schüsse in Altendorf"}"#)
                    let eventID = try #require(published.body["id"] as? String)
                    let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                    #expect(try await fixture.waitForFinal(delivery.id)?.status == .sent)
                    let text = try #require(try await kannel.texts(expectedParts: 1).first)
                    #expect(text.hasPrefix("KRITISCH: Razzia / Großkontrolle Essen: Schüsse in Altendorf"))
                }
            }
        }
    }

    @Test("Kannel's delivery report makes the delivery delivered; reports 8 and 1 are kept; a forged report is refused")
    func deliveryReports() async throws {
        try await KannelHarness.with { kannel in
            // Kannel calls back to SIKO_PUBLIC_URL, so the gateway serves on a port known in advance
            // (the live test client would pick its own).
            let port = try KannelHarness.freePort()
            let base = "http://127.0.0.1:\(port)"
            let sms = ChannelSettings(
                retrySchedule: RetrySchedule(delays: [.zero]), timeout: .seconds(10), concurrency: 2,
                options: SMSOptions(url: kannel.sendsmsURL, from: "SiKoRuhr", user: "siko", password: "geheim", links: Links(publicURL: base))
            )
            try await TestGateway.withGateway(sms: sms) { fixture in
                let serviceGroup = ServiceGroup(configuration: .init(
                    services: [GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: port)], logger: fixture.gateway.logger
                ))
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await serviceGroup.run() }
                    defer { group.cancelAll() }
                    try await KannelHarness.waitForPort(port)
                    func get(_ path: String) async throws -> Int {
                        let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        return Int(response.status.code)
                    }

                    try await fixture.store.insertSubscription(subscription(id: "sub_sms", areas: ["essen"], channel: .sms, target: "+4917012345678"), secret: nil)
                    fixture.gateway.engine.upsert(subscription(id: "sub_sms", areas: ["essen"], channel: .sms, target: "+4917012345678"))
                    let published = try await fixture.gateway.publishing.publish(
                        EventSubmission(topic: "razzia", urgency: "high", areas: ["essen"], title: "Kontrolle"), idempotencyKey: nil,
                        by: Identity(partner: "stadt-essen", keyID: "test", scopes: [.eventsPublish])
                    )
                    let delivery = try #require(try await fixture.store.deliveries(eventID: published.eventId).first)

                    #expect(try await get("/v1/callbacks/sms?delivery=\(delivery.id)&token=forged&status=2") == 403)
                    #expect(try await get("/v1/callbacks/sms?delivery=\(delivery.id)&status=1") == 400)

                    let deadline = ContinuousClock.now + .seconds(20)
                    var current = delivery
                    var reports = 0
                    while current.status != .delivered || reports < 2, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(50))
                        current = try #require(try await fixture.store.delivery(id: delivery.id))
                        reports = try await fixture.store.receipts(deliveryID: delivery.id).count
                    }
                    #expect(current.status == .delivered)
                    let receipts = try await fixture.store.receipts(deliveryID: delivery.id)
                    #expect(Set(receipts.map(\.report)) == [.delivered, .acceptedBySMSC], "the forged failure left no trace")

                    let token = fixture.gateway.receiptToken.token(for: delivery.id)
                    #expect(try await get("/v1/callbacks/sms?delivery=\(delivery.id)&token=\(token)&status=16") == 200)
                    #expect(try await fixture.store.delivery(id: delivery.id)?.status == .delivered, "a late failure does not undo delivered")
                    #expect(try await get("/v1/callbacks/sms?delivery=\(delivery.id)&token=\(token)&status=3") == 422)
                    try await client.shutdown()
                    await serviceGroup.triggerGracefulShutdown()
                }
            }
        }
    }
}
