import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoChannels
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// The whole path over real sockets: the gateway with its dispatcher, a SQLite file, a receiver on
/// 127.0.0.1.
@Suite("End to end: events in, signed webhooks out")
struct EndToEndTests {
    struct Setup: Sendable {
        var deliveryID: String
        var subscriptionID: String
        var secret: String
    }

    /// Subscribes a receiver, publishes one event and answers what was created.
    func publishToReceiver(_ fixture: TestGateway, _ client: some TestClientProtocol, receiver url: String) async throws -> Setup {
        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
        let subscription = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
            {"name":"Lagedienst","areas":["essen"],"topics":["razzia"],"minUrgency":"medium","channel":"webhook","target":"\(url)"}
            """)
        #expect(subscription.status == .created)
        let publisher = try await fixture.key("stadt-essen", .eventsPublish, .deliveriesRead)
        let published = try await client.json(.post, "/v1/events", key: publisher, body: """
            {"externalId":"essen-2026-0042","topic":"razzia","urgency":"high","areas":["essen"],
             "title":"Großkontrolle Altendorfer Straße","body":"Gemeinsame Kontrolle von Ordnungsamt, Polizei und Zoll.",
             "data":{"einsatz":{"kräfte":42}}}
            """)
        #expect(published.status == .accepted)
        let eventID = try #require(published.body["id"] as? String)
        let deliveries = try await fixture.store.deliveries(eventID: eventID)
        let delivery = try #require(deliveries.first)
        #expect(deliveries.count == 1)
        return Setup(
            deliveryID: delivery.id, subscriptionID: try #require(subscription.body["id"] as? String),
            secret: try #require(subscription.body["secret"] as? String)
        )
    }

    func withLiveGateway(_ body: @escaping @Sendable (TestGateway, any TestClientProtocol) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in try await body(fixture, client) }
        }
    }

    @Test("the receiver gets one signed POST and the delivery reads delivered")
    func signedWebhook() async throws {
        let inbox = Inbox()
        try await withLiveGateway { fixture, client in
            try await Inbox.serve(inbox) { url in
                let setup = try await publishToReceiver(fixture, client, receiver: url)
                let delivery = try #require(try await fixture.waitForFinal(setup.deliveryID))
                #expect(delivery.status == .delivered)
                #expect(delivery.attempts == 1)

                let received = await inbox.received
                #expect(received.count == 1)
                let request = try #require(received.first)
                #expect(request.headers["webhook-id"] == setup.deliveryID)
                #expect(request.headers["content-type"] == "application/json")
                let timestamp = try #require(Int(request.headers["webhook-timestamp"] ?? ""))
                #expect(abs(timestamp - Int(Date().timeIntervalSince1970)) < 300)
                let expected = try WebhookSigner(secret: setup.secret).signature(id: setup.deliveryID, timestamp: timestamp, body: request.body)
                #expect(request.headers["webhook-signature"] == expected)

                let payload = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
                #expect(payload["type"] as? String == "event.published")
                #expect(payload["deliveryId"] as? String == setup.deliveryID)
                #expect(payload["subscriptionId"] as? String == setup.subscriptionID)
                let event = try #require(payload["event"] as? [String: Any])
                #expect(event["title"] as? String == "Großkontrolle Altendorfer Straße")
                #expect(event["publisher"] as? String == "stadt-essen")
                #expect(event["areas"] as? [String] == ["essen"])
                #expect(((event["data"] as? [String: Any])?["einsatz"] as? [String: Any])?["kräfte"] as? Int == 42)

                let publisher = try await fixture.key("stadt-essen", .deliveriesRead)
                let shown = try await client.json(.get, "/v1/deliveries/\(setup.deliveryID)", key: publisher)
                #expect(shown.body["status"] as? String == "delivered")
                let history = shown.body["history"] as? [[String: Any]] ?? []
                #expect(history.count == 1 && history.first?["responseCode"] as? Int == 204)

                try verifyWithStandardWebhooks(request, secret: setup.secret)
            }
        }
    }

    /// The PyPI `standardwebhooks` library, an independent implementation, accepts the signature and
    /// rejects a tampered body. `make test` provides the interpreter in SIKO_TEST_PYTHON; without it
    /// this fails, since a signature only this gateway can check proves nothing to receivers.
    func verifyWithStandardWebhooks(_ request: Inbox.Received, secret: String) throws {
        let python = try #require(
            ProcessInfo.processInfo.environment["SIKO_TEST_PYTHON"],
            "SIKO_TEST_PYTHON is not set: run `make test`, or point it at a Python with Tests/python/requirements.txt installed (standardwebhooks)"
        )
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        func run(body: Data) throws -> (status: Int32, output: String) {
            let file = folder.file("request.json")
            let json: [String: Any] = ["secret": secret, "headers": request.headers, "body": body.base64EncodedString()]
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [Repository.root.appendingPathComponent("Tests/python/verify_webhook.py").path, file]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        // verify_webhook.py exits 3 for a rejection; 1 is a crash (no standardwebhooks, a bad file).
        let genuine = try run(body: request.body)
        #expect(genuine.status == 0, "standardwebhooks verifies the gateway's signature: \(genuine.output)")
        var tampered = request.body
        tampered[tampered.startIndex + 10] ^= 0x01
        let changed = try run(body: tampered)
        #expect(changed.status == 3, "standardwebhooks rejects a changed body (exit 3), not crashes: \(changed.output)")
        #expect(changed.output.contains("not verified"))
    }

    @Test("503, 503, 200: delivered on the third attempt, every attempt on record")
    func retriesUntilDelivered() async throws {
        let inbox = Inbox(answers: [.serviceUnavailable, .serviceUnavailable, .ok])
        try await withLiveGateway { fixture, client in
            try await Inbox.serve(inbox) { url in
                let setup = try await publishToReceiver(fixture, client, receiver: url)
                let delivery = try #require(try await fixture.waitForFinal(setup.deliveryID))
                #expect(delivery.status == .delivered)
                let attempts = try await fixture.store.attempts(deliveryID: setup.deliveryID)
                #expect(attempts.map(\.responseCode) == [503, 503, 200])
                #expect(attempts.map(\.status) == [.failed, .failed, .delivered])
                let ids = Set(await inbox.received.compactMap { $0.headers["webhook-id"] })
                #expect(ids == [setup.deliveryID], "every retry carries the same webhook-id")
            }
        }
    }

    @Test("always 500: dead after the schedule, with the receiver's answer as the reason")
    func deadAfterSchedule() async throws {
        let inbox = Inbox(answers: [.internalServerError])
        try await withLiveGateway { fixture, client in
            try await Inbox.serve(inbox) { url in
                let setup = try await publishToReceiver(fixture, client, receiver: url)
                let delivery = try #require(try await fixture.waitForFinal(setup.deliveryID))
                #expect(delivery.status == .dead)
                #expect(delivery.attempts == 3)
                #expect(delivery.lastError?.contains("HTTP 500") == true)
                #expect(await inbox.received.count == 3)

                let owner = try await fixture.key("stadt-essen", .deliveriesRead)
                let retried = try await client.json(.post, "/v1/deliveries/\(setup.deliveryID)/retry", key: owner)
                #expect(retried.status == .ok)
                #expect(retried.body["status"] as? String == "pending")
                _ = try await fixture.waitForFinal(setup.deliveryID)
                #expect(await inbox.received.count == 4, "a manual retry sends once more")
            }
        }
    }

    @Test("410 Gone: dead at once and the subscription disabled")
    func goneDisablesSubscription() async throws {
        let inbox = Inbox(answers: [.gone])
        try await withLiveGateway { fixture, client in
            try await Inbox.serve(inbox) { url in
                let setup = try await publishToReceiver(fixture, client, receiver: url)
                let delivery = try #require(try await fixture.waitForFinal(setup.deliveryID))
                #expect(delivery.status == .dead)
                let subscription = try #require(try await fixture.store.subscription(id: setup.subscriptionID))
                #expect(!subscription.enabled)
                #expect(subscription.disabledReason?.contains("410") == true)
                let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                let next = try await client.json(.post, "/v1/events", key: publisher, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"danach"}"#)
                #expect(next.body["deliveries"] as? Int == 0, "a disabled subscription receives nothing")
            }
        }
    }
}

@Suite("Bulk retry of dead deliveries")
struct BulkRetryTests {
    @Test("POST /v1/deliveries/retry puts the caller's dead deliveries back, up to its limit; others see none of them")
    func bulkRetry() async throws {
        let inbox = Inbox(answers: Array(repeating: .internalServerError, count: 9) + [.noContent])
        // The breaker would rightly hold the failing host back; this test is about the retry.
        try await TestGateway.withGateway(breaker: .init(threshold: 100)) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    _ = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"\(url)"}
                        """)
                    let essen = try await fixture.key("stadt-essen", .eventsPublish, .deliveriesRead)
                    var ids: [String] = []
                    for number in 1...3 {
                        let published = try await client.json(.post, "/v1/events", key: essen, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                        let eventID = try #require(published.body["id"] as? String)
                        ids += try await fixture.store.deliveries(eventID: eventID).map(\.id)
                    }
                    for id in ids { #expect(try await fixture.waitForFinal(id)?.status == .dead) }

                    let subscriptionID = try #require(try await fixture.store.delivery(id: ids[0])?.subscriptionId)
                    let dead = try await client.json(.get, "/v1/deliveries?status=dead&subscription=\(subscriptionID)&limit=2", key: essen)
                    let page = try #require(dead.body["deliveries"] as? [[String: Any]])
                    #expect(page.count == 2 && dead.body["next"] as? String == page.last?["id"] as? String, "a full page points to the next")
                    let next = try await client.json(.get, "/v1/deliveries?status=dead&subscription=\(subscriptionID)&limit=2&after=\(dead.body["next"] as? String ?? "")", key: essen)
                    #expect((next.body["deliveries"] as? [[String: Any]])?.count == 1)

                    let police = try await fixture.key("bundespolizei", .deliveriesRead)
                    let foreign = try await client.json(.post, "/v1/deliveries/retry", key: police, body: "{}")
                    #expect(foreign.status == .ok && foreign.body["requeued"] as? Int == 0)
                    let bad = try await client.json(.post, "/v1/deliveries/retry", key: essen, body: #"{"status":"delivered"}"#)
                    #expect(bad.status == .unprocessableContent)

                    let two = try await client.json(.post, "/v1/deliveries/retry", key: essen, body: #"{"status":"dead","channel":"webhook","limit":2}"#)
                    #expect(two.body["requeued"] as? Int == 2)
                    let rest = try await client.json(.post, "/v1/deliveries/retry", key: essen, body: "{}")
                    #expect(rest.body["requeued"] as? Int == 1)
                    for id in ids { #expect(try await fixture.waitForFinal(id)?.status == .delivered) }
                    #expect(await inbox.received.count == 12)
                }
            }
        }
    }
}
