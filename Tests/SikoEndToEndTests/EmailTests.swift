import SikoTestSupport
import SikoTestGateway
import Foundation
import Hummingbird
import HummingbirdTesting
import SikoConfig
import SikoModel
import SikoSQLite
import Testing
@testable import SikoChannels
@testable import SikoServer
@testable import SikoCore

/// Email through libcurl to a real SMTP server (aiosmtpd); every received message is parsed by
/// Python's MIME parser, so these tests read what a mail client would show.
@Suite("Email over SMTP")
struct EmailTests {
    let title = "Großkontrolle Altendorfer Straße – Übung für Mülheim"
    let body = "Zoll, Ordnungsamt und Polizei prüfen Gaststätten; Rückfragen an die Geschäftsstelle (Telefon 0201 123-456)."

    func job(classification: Classification = .public, body: String? = nil, language: Language = .de, to target: String = "lagedienst@polizei.example") -> DeliveryJob {
        let now = Date(timeIntervalSince1970: 1_795_572_000)
        let event = Event(
            id: Identifier.make("evt"), externalId: "essen-2026-0042", publisher: "stadt-essen", topic: "razzia", urgency: .high,
            areas: ["essen", "muelheim-an-der-ruhr"], title: title, body: body ?? self.body, classification: classification,
            publishedAt: now, expiresAt: nil, data: .object(["geheim": .string("Aktenzeichen 4711")])
        )
        let delivery = Delivery(
            id: Identifier.make("dlv"), eventId: event.id, subscriptionId: "sub_1", partner: "stadt-essen", channel: .email,
            target: target, status: .sending, attempts: 1, nextAttemptAt: nil, createdAt: now, updatedAt: now
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: language)
    }

    func channel(_ server: SMTPTestServer, startTLS: EmailOptions.StartTLS = .off, url: String? = nil, user: String? = nil, password: String? = nil, caFile: String? = nil) throws -> EmailChannel {
        EmailChannel(
            settings: .init(
                options: EmailOptions(
                    url: url ?? server.url, from: Mailbox(name: "Geschäftsstelle SiKo Ruhr", address: "alarm@siko-ruhr.example"), startTLS: startTLS,
                    user: user, password: password, caFile: caFile, links: Links(publicURL: "https://siko.example/")
                ),
                timeout: .seconds(10), concurrency: 2
            ),
            templates: try EmailTemplates.load(directory: Repository.channels + "/templates"), reference: Repository.reference
        )
    }

    func send(_ channel: EmailChannel, _ job: DeliveryJob) async throws -> SendReport {
        let report = await channel.send(job)
        try await channel.shutdown()
        return report
    }

    @Test("umlauts and ß arrive intact in subject, display name and both parts")
    func umlauts() async throws {
        try await SMTPTestServer.with { server in
            let job = job()
            let report = try await send(try channel(server), job)
            #expect(report.outcome == .sent)
            let message = try #require(try server.messages().first)
            #expect(message["subject"] as? String == "[HOCH] Razzia / Großkontrolle: \(title) – Essen, Mülheim an der Ruhr")
            #expect(message["fromDisplayName"] as? String == "Geschäftsstelle SiKo Ruhr")
            #expect((message["text"] as? String)?.contains(body) == true)
            #expect((message["text"] as? String)?.contains("Absender: Stadt Essen") == true)
            #expect((message["text"] as? String)?.contains("Zeit: 25.11.2026, 03:00 Uhr") == true, "Europe/Berlin, not UTC")
            #expect((message["html"] as? String)?.contains("<h2 style=\"font-size: 18px;\">\(title)</h2>") == true)
            #expect(message["headers8bit"] as? Bool == false, "headers are RFC 2047, not raw UTF-8")
            #expect((message["defects"] as? [Any])?.isEmpty == true)
            #expect(message["deliveryId"] as? String == job.delivery.id)
            #expect(message["messageId"] as? String == "<\(job.delivery.id)@siko-ruhr.example>")
            #expect(message["contentType"] as? String == "multipart/alternative")
            #expect((message["text"] as? String)?.contains("https://siko.example/meldungen/\(job.event.id)") == true)
        }
    }

    @Test("English subscribers read English")
    func english() async throws {
        try await SMTPTestServer.with { server in
            _ = try await send(try channel(server), job(language: .en))
            let message = try #require(try server.messages().first)
            #expect((message["subject"] as? String)?.hasPrefix("[HIGH] Raid / joint inspection: ") == true)
            #expect((message["text"] as? String)?.contains("From: City of Essen") == true)
        }
    }

    @Test("HTML escapes what the publisher wrote and keeps its line breaks for Outlook")
    func htmlBody() async throws {
        try await SMTPTestServer.with { server in
            _ = try await send(try channel(server), job(body: "Erste Zeile <b>fett?</b>\nZweite Zeile & mehr"))
            let html = try #require(try server.messages().first?["html"] as? String)
            #expect(html.contains("<p>Erste Zeile &lt;b&gt;fett?&lt;/b&gt;<br>Zweite Zeile &amp; mehr<br></p>"))
        }
    }

    @Test("a 1200-character line survives whole, and no line on the wire exceeds 998 octets")
    func longLine() async throws {
        let line = String(repeating: "Gaststättenkontrolle-", count: 57) + "ENDE"
        #expect(line.count > 1200)
        try await SMTPTestServer.with { server in
            #expect(try await send(try channel(server), job(body: line)).outcome == .sent)
            let message = try #require(try server.messages().first)
            #expect((message["text"] as? String)?.contains(line) == true)
            #expect((message["longestLine"] as? Int ?? 999) <= 998)
        }
    }

    @Test("a restricted (VS-NfD) event is sent as a teaser only: no title, body or data")
    func restrictedTeaser() async throws {
        try await SMTPTestServer.with { server in
            let job = job(classification: .restricted)
            #expect(try await send(try channel(server), job).outcome == .sent)
            let message = try #require(try server.messages().first)
            let subject = try #require(message["subject"] as? String)
            let text = try #require(message["text"] as? String)
            let html = try #require(message["html"] as? String)
            #expect(subject == "[HOCH] Neue Meldung – VS-NfD – bitte im Portal abrufen")
            #expect(text.contains("https://siko.example/meldungen/\(job.event.id)"))
            for secret in ["Großkontrolle", "Altendorfer", "Gaststätten", "Aktenzeichen", "Zoll"] {
                #expect(!subject.contains(secret) && !text.contains(secret) && !html.contains(secret), "\(secret) must not leak")
            }
        }
    }

    @Test("STARTTLS with a self-signed certificate, required by both sides")
    func startTLS() async throws {
        let certificates = try TemporaryDirectory()
        defer { certificates.remove() }
        let (certificate, key) = try SMTPTestServer.selfSignedCertificate(in: certificates)
        try await SMTPTestServer.with(["--cert", certificate, "--key", key, "--require-starttls"]) { server in
            let report = try await send(try channel(server, startTLS: .required, caFile: certificate), job())
            #expect(report.outcome == .sent)
            #expect(try server.messages().first?["tls"] as? Bool == true)
            let untrusted = try await send(try channel(server, startTLS: .required), job())
            guard case .retry = untrusted.outcome else { Issue.record("an unverified certificate must not be trusted: \(untrusted)"); return }
            #expect(try server.messages().count == 1)
        }
    }

    @Test("with starttls required, a server without TLS gets nothing in clear")
    func noTLSNoMail() async throws {
        try await SMTPTestServer.with { server in
            let report = try await send(try channel(server, startTLS: .required), job())
            guard case .retry = report.outcome else { Issue.record("expected a retry, got \(report)"); return }
            #expect(try server.messages().isEmpty)
        }
    }

    @Test("implicit TLS (smtps://)")
    func implicitTLS() async throws {
        let certificates = try TemporaryDirectory()
        defer { certificates.remove() }
        let (certificate, key) = try SMTPTestServer.selfSignedCertificate(in: certificates)
        try await SMTPTestServer.with(["--cert", certificate, "--key", key, "--implicit-tls"]) { server in
            let report = try await send(try channel(server, startTLS: .required, url: "smtps://127.0.0.1:\(server.port)", caFile: certificate), job())
            #expect(report.outcome == .sent)
            #expect(try server.messages().first?["tls"] as? Bool == true)
        }
    }

    @Test("AUTH with the configured user; a wrong password is retried, not sent")
    func auth() async throws {
        try await SMTPTestServer.with(["--auth", "siko:geheim-ä"]) { server in
            #expect(try await send(try channel(server, user: "siko", password: "geheim-ä"), job()).outcome == .sent)
            #expect(try server.messages().first?["authenticated"] as? Bool == true)
            let wrong = try await send(try channel(server, user: "siko", password: "falsch"), job())
            guard case .retry(_, let reason) = wrong.outcome else { Issue.record("expected a retry, got \(wrong)"); return }
            #expect(reason.contains("authentication failed"))
            #expect(!reason.contains("falsch"), "no secret in the reason")
            #expect(try server.messages().count == 1)
        }
    }

    @Test("connections are reused across messages: five messages in a row, one SMTP session")
    func reuse() async throws {
        try await SMTPTestServer.with { server in
            let channel = try channel(server)
            for _ in 0..<5 { #expect(await channel.send(job()).outcome == .sent) }
            try await channel.shutdown()
            let messages = try server.messages()
            #expect(messages.count == 5)
            #expect(Set(messages.compactMap { $0["session"] as? Int }) == [1], "all five over the first connection: \(messages.map { $0["session"] ?? "?" })")
        }
    }

    @Test("through the gateway: 550 is dead with the server's reply, 451 is retried, a good address is sent")
    func throughTheGateway() async throws {
        try await SMTPTestServer.with { server in
            let settings = server.channel(retrySchedule: RetrySchedule(delays: [.zero, .zero]), concurrency: 4)
            try await TestGateway.withGateway(email: settings) { fixture in
                let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
                try await application.test(.live) { client in
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    for target in ["lagedienst@polizei.example", "unknown@polizei.example", "later@polizei.example"] {
                        let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                            {"name":"\(target)","areas":["essen"],"channel":"email","target":"\(target)"}
                            """)
                        #expect(created.status == .created)
                        #expect(created.body["secret"] == nil, "only webhooks have a signing secret")
                    }
                    let invalid = try await client.json(.post, "/v1/subscriptions", key: manager, body: #"{"name":"x","areas":["essen"],"channel":"email","target":"kein-at-zeichen"}"#)
                    #expect(invalid.status == .unprocessableContent)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"\(title)"}
                        """)
                    let eventID = try #require(published.body["id"] as? String)
                    var final: [String: Delivery] = [:]
                    for delivery in try await fixture.store.deliveries(eventID: eventID) {
                        final[delivery.target] = try await fixture.waitForFinal(delivery.id)
                    }
                    #expect(final["lagedienst@polizei.example"]?.status == .sent)
                    let unknown = try #require(final["unknown@polizei.example"])
                    #expect(unknown.status == .dead && unknown.attempts == 1)
                    #expect(unknown.lastError?.contains("550 5.1.1") == true)
                    #expect(unknown.lastError?.contains("User unknown") == true)
                    let later = try #require(final["later@polizei.example"])
                    #expect(later.status == .dead && later.attempts == 2, "451 is retried along the schedule")
                    let attempts = try await fixture.store.attempts(deliveryID: later.id)
                    #expect(attempts.map(\.status) == [.failed, .dead])
                    #expect(attempts.map(\.responseCode) == [451, 451])
                    #expect(try server.messages().count == 1)
                }
            }
        }
    }

    @Test("a webhook answering 410 disables its subscription and the partner's contact is told by email, in German and English")
    func partnerTold() async throws {
        try await SMTPTestServer.with { server in
            let settings = server.channel()
            let gone = Inbox(answers: [.gone])
            try await TestGateway.withGateway(email: settings, partnerContacts: ["stadt-essen": "leitstelle@essen.example"]) { fixture in
                let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
                try await application.test(.live) { client in
                    try await Inbox.serve(gone) { url in
                        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                        let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                            {"name":"Lagedienst Nord","areas":["essen"],"channel":"webhook","target":"\(url)"}
                            """)
                        let subscriptionID = try #require(created.body["id"] as? String)
                        let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                        _ = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage"}
                            """)
                        let deadline = ContinuousClock.now + .seconds(20)
                        var messages: [[String: Any]] = []
                        while messages.isEmpty, ContinuousClock.now < deadline {
                            messages = try server.messages()
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        let notice = try #require(messages.first)
                        #expect((notice["to"] as? String)?.contains("leitstelle@essen.example") == true)
                        #expect(notice["subject"] as? String == "SiKo: Abonnement deaktiviert – Lagedienst Nord / Subscription disabled")
                        let text = try #require(notice["text"] as? String)
                        #expect(text.contains("Ihr Abonnement „Lagedienst Nord“"))
                        #expect(text.contains(subscriptionID) && text.contains("410"))
                        #expect(text.contains("https://siko.example/v1/subscriptions/\(subscriptionID)"))
                        #expect(text.contains("The SiKo Gateway disabled your subscription"))
                        let subscription = try #require(try await fixture.store.subscription(id: subscriptionID))
                        #expect(!subscription.enabled)
                    }
                }
            }
        }
    }

    @Test("a subscription failing for five days without a success is disabled and the partner's contact is told by email, with the reason")
    func partnerToldAfterFiveDays() async throws {
        try await SMTPTestServer.with { server in
            let settings = server.channel()
            let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
            let failing = Inbox(answers: [.serviceUnavailable])
            let day: Int64 = 86_400
            // Tries three days apart (3.5 with the clock moved past the jitter): the third comes seven days after the first failure, past the default five.
            try await TestGateway.withGateway(
                retrySchedule: RetrySchedule(delays: [.zero, .seconds(3 * day), .seconds(3 * day), .seconds(3 * day)]),
                breaker: .init(threshold: 1000), email: settings, partnerContacts: ["stadt-essen": "leitstelle@essen.example"], clock: clock
            ) { fixture in
                let application = GatewayApplication.make(gateway: fixture.gateway, host: "127.0.0.1", port: 0)
                try await application.test(.live) { client in
                    try await Inbox.serve(failing) { url in
                        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                        let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                            {"name":"Lagedienst Süd","areas":["essen"],"channel":"webhook","target":"\(url)"}
                            """)
                        let subscriptionID = try #require(created.body["id"] as? String)
                        let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                        let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage"}
                            """)
                        let eventID = try #require(published.body["id"] as? String)
                        let deliveryID = try #require(try await fixture.store.deliveries(eventID: eventID).first?.id)
                        for attempt in 1...3 {
                            if attempt > 1 {
                                // Past the ±10% jitter of a three-day wait.
                                clock.advance(by: 3.5 * Double(day))
                                fixture.gateway.dispatcher.wake.signal()
                            }
                            let deadline = ContinuousClock.now + .seconds(60)
                            while try await fixture.store.delivery(id: deliveryID).map({ $0.attempts < attempt || $0.status == .sending }) ?? true,
                                  ContinuousClock.now < deadline {
                                try await Task.sleep(for: .milliseconds(10))
                            }
                            #expect(try await fixture.store.delivery(id: deliveryID)?.attempts == attempt)
                        }
                        let deadline = ContinuousClock.now + .seconds(60)
                        var messages: [[String: Any]] = []
                        while messages.isEmpty, ContinuousClock.now < deadline {
                            messages = try server.messages()
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        #expect(messages.count == 1, "one notice, not one per failed try")
                        let notice = try #require(messages.first)
                        #expect((notice["to"] as? String)?.contains("leitstelle@essen.example") == true)
                        #expect(notice["subject"] as? String == "SiKo: Abonnement deaktiviert – Lagedienst Süd / Subscription disabled")
                        let text = try #require(notice["text"] as? String)
                        #expect(text.contains("Ihr Abonnement „Lagedienst Süd“") && text.contains(subscriptionID))
                        #expect(text.contains("failed without a success for 5 days") && text.contains("HTTP 503"), "\(text)")
                        let subscription = try #require(try await fixture.store.subscription(id: subscriptionID))
                        #expect(!subscription.enabled)
                    }
                }
            }
        }
    }
}
