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

/// A clock that stands still, so "now" can be 23:30 in Essen whenever the test runs.
struct StoppedClock: WallClock {
    let instant: Date
    func now() -> Date { instant }
}

/// Policies through the API with a live gateway, a SQLite file and a receiver on 127.0.0.1.
@Suite("Policies end to end: explain, quiet hours, duplicates, VS-NfD, exercises")
struct PolicyEndToEndTests {
    func withLiveGateway(
        policies: Policies, clock: any WallClock = SystemClock(),
        _ body: @escaping @Sendable (TestGateway, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestGateway.withGateway(policies: policies, clock: clock) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in try await body(fixture, client) }
        }
    }

    func subscribe(_ fixture: TestGateway, _ client: some TestClientProtocol, partner: String, topics: String = "[\"razzia\"]", target: String) async throws -> String {
        let key = try await fixture.key(partner, .subscriptionsManage)
        let created = try await client.json(.post, "/v1/subscriptions", key: key, body: """
            {"name":"Lagedienst \(partner)","areas":["essen"],"topics":\(topics),"minUrgency":"low","channel":"webhook","target":"\(target)"}
            """)
        #expect(created.status == .created)
        return try #require(created.body["id"] as? String)
    }

    static let event = """
        {"topic":"razzia","urgency":"medium","areas":["essen"],"title":"Kontrolle Altendorfer Straße","body":"Ab 23 Uhr."}
        """

    @Test("explain names each subscription's match and decision; publishing then does exactly that, at 23:30 in Essen")
    func explainThenPublish() async throws {
        let quiet = QuietHoursRule(
            name: "nachtruhe", from: TimeOfDay("22:00")!, until: TimeOfDay("06:00")!, below: .high,
            channels: [.webhook: .defer], partners: ["stadt-essen"]
        )
        let clock = StoppedClock(instant: utc("2026-11-25T22:30:00Z"))
        let inbox = Inbox()
        try await withLiveGateway(policies: Policies(quietHours: [quiet]), clock: clock) { fixture, client in
            try await Inbox.serve(inbox) { url in
                let essen = try await subscribe(fixture, client, partner: "stadt-essen", target: url)
                let police = try await subscribe(fixture, client, partner: "bundespolizei", target: url)
                let customs = try await subscribe(fixture, client, partner: "generalzolldirektion", topics: "[\"geldwaesche\"]", target: url)
                let publisher = try await fixture.key("stadt-essen", .eventsPublish)

                let explained = try await client.json(.post, "/v1/explain", key: publisher, body: Self.event)
                #expect(explained.status == .ok)
                #expect(explained.body["considered"] as? Int == 3)
                #expect(explained.body["deliveries"] as? Int == 2)
                let items = try #require(explained.body["subscriptions"] as? [[String: Any]])
                let byID = Dictionary(uniqueKeysWithValues: items.map { ($0["subscriptionId"] as! String, $0) })
                let own = try #require(byID[essen])
                #expect(own["decision"] as? String == "defer")
                #expect(own["sendAt"] as? String == "2026-11-26T05:00:00.000Z")
                #expect(own["rule"] as? String == "quiet-hours")
                #expect((own["area"] as? [String: Any])?["via"] as? String == "same")
                #expect(own["target"] as? String == url)
                let other = try #require(byID[police])
                #expect(other["decision"] as? String == "send")
                #expect(other["target"] as? String == "***", "another partner's target stays masked")
                let unmatched = try #require(byID[customs])
                #expect(unmatched["matched"] as? Bool == false && unmatched["decision"] as? String == "none")
                #expect((unmatched["reason"] as? String)?.contains("topic not subscribed") == true)
                #expect(try await fixture.store.deliveries(matching: DeliveryQuery()).isEmpty, "explain stores nothing")

                let published = try await client.json(.post, "/v1/events", key: publisher, body: Self.event)
                #expect(published.status == .accepted)
                let eventID = try #require(published.body["id"] as? String)
                let deliveries = try await fixture.store.deliveries(eventID: eventID)
                let deferred = try #require(deliveries.first { $0.subscriptionId == essen })
                #expect(deferred.status == .pending && deferred.rule == .quietHours)
                #expect(deferred.nextAttemptAt == utc("2026-11-26T05:00:00Z"))
                let sent = try #require(deliveries.first { $0.subscriptionId == police })
                #expect(try await fixture.waitForFinal(sent.id)?.status == .delivered)
                #expect(await inbox.received.count == 1, "only the partner without quiet hours was told at night")
                #expect(try await fixture.store.delivery(id: deferred.id)?.status == .pending)
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                #expect(metrics.contains(#"siko_delivery_queue{state="scheduled"} 1"#), "\(metrics)")
                #expect(metrics.contains(#"siko_delivery_queue{state="due"} 0"#))
                #expect(metrics.contains(#"siko_policy_decisions_total{rule="quiet-hours",action="defer"} 1"#))
            }
        }
    }

    @Test("a repeated report within the window is suppressed as a duplicate; a rise in urgency goes out")
    func duplicates() async throws {
        let inbox = Inbox()
        try await withLiveGateway(policies: Policies(duplicateWindow: .seconds(1800))) { fixture, client in
            try await Inbox.serve(inbox) { url in
                _ = try await subscribe(fixture, client, partner: "stadt-essen", target: url)
                let publisher = try await fixture.key("stadt-essen", .eventsPublish, .deliveriesRead)
                let first = try await client.json(.post, "/v1/events", key: publisher, body: Self.event)
                let firstID = try #require(first.body["id"] as? String)
                let second = try await client.json(.post, "/v1/events", key: publisher, body: Self.event)
                #expect(second.status == .accepted && second.body["duplicate"] as? Bool == false, "it is a new event, not an idempotent replay")
                let secondID = try #require(second.body["id"] as? String)
                let suppressed = try #require(try await fixture.store.deliveries(eventID: secondID).first)
                #expect(suppressed.status == .suppressed && suppressed.rule == .duplicate)
                #expect(suppressed.lastError?.contains(firstID) == true)
                let listed = try await client.json(.get, "/v1/events/\(secondID)/deliveries", key: publisher)
                let row = try #require((listed.body["deliveries"] as? [[String: Any]])?.first)
                #expect(row["status"] as? String == "suppressed" && row["rule"] as? String == "duplicate")

                let risen = try await client.json(.post, "/v1/events", key: publisher, body: Self.event.replacingOccurrences(of: "medium", with: "high"))
                let risenID = try #require(risen.body["id"] as? String)
                let risenDelivery = try #require(try await fixture.store.deliveries(eventID: risenID).first)
                #expect(try await fixture.waitForFinal(risenDelivery.id)?.status == .delivered)
                let firstDelivery = try #require(try await fixture.store.deliveries(eventID: firstID).first)
                #expect(try await fixture.waitForFinal(firstDelivery.id)?.status == .delivered)
                #expect(await inbox.received.count == 2)
                let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil)
                #expect(String(buffer: metrics.body).contains(#"siko_policy_decisions_total{rule="duplicate",action="suppress"} 1"#))
            }
        }
    }

    @Test("VS-NfD to a plain-http webhook outside fullContentNetworks arrives as a teaser; an exercise says so")
    func restrictedTeaserAndExercise() async throws {
        let inbox = Inbox()
        try await withLiveGateway(policies: .standard) { fixture, client in
            try await Inbox.serve(inbox) { url in
                _ = try await subscribe(fixture, client, partner: "stadt-essen", target: url)
                let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Zugriff Objekt 7","body":"Geheim.",
                     "classification":"restricted","exercise":true,"data":{"objekt":7}}
                    """)
                let eventID = try #require(published.body["id"] as? String)
                let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                #expect(delivery.content == .teaser && delivery.rule == .classification)
                #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered)
                let received = try #require(await inbox.received.first)
                let text = String(decoding: received.body, as: UTF8.self)
                #expect(!text.contains("Zugriff") && !text.contains("Geheim") && !text.contains("objekt"))
                let payload = try #require(try JSONSerialization.jsonObject(with: received.body) as? [String: Any])
                let event = try #require(payload["event"] as? [String: Any])
                #expect(event["title"] as? String == WebhookPayload.teaserTitle)
                #expect(event["body"] is NSNull)
                #expect(event["exercise"] as? Bool == true)
                #expect(event["classification"] as? String == "restricted")
            }
        }
    }

    @Test("an event that expired before its turn is suppressed, never sent late")
    func expiredBeforeSending() async throws {
        let inbox = Inbox(answers: [.serviceUnavailable])
        try await TestGateway.withGateway(retrySchedule: RetrySchedule(delays: [.zero, .seconds(3600)])) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    _ = try await subscribe(fixture, client, partner: "stadt-essen", target: url)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let expires = JSONCoding.format(Date().addingTimeInterval(600))
                    let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kurzlebig","expiresAt":"\(expires)"}
                        """)
                    let eventID = try #require(published.body["id"] as? String)
                    let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                    // 503 once; the next try would be in an hour, after the event expires in ten minutes.
                    let final = try #require(try await fixture.waitForFinal(delivery.id))
                    #expect(final.status == .suppressed && final.rule == .expired)
                    #expect(final.lastError?.contains("HTTP 503") == true)
                    #expect(await inbox.received.count == 1)
                }
            }
        }
    }
}
