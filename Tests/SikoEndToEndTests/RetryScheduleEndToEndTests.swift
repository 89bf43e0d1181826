import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoSQLite
import Synchronization
import Testing
@testable import SikoServer
@testable import SikoCore

@Suite("Retry schedule over real HTTP with a controllable clock", .serialized)
struct RetryScheduleEndToEndTests {
    let start = utc("2026-11-25T10:00:00Z")

    /// Publishes one event to one subscription at `url` and answers its delivery id.
    func publishOne(_ fixture: TestGateway, _ client: some TestClientProtocol, to url: String) async throws -> String {
        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
        _ = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
            {"name":"Lage","areas":["essen"],"topics":["razzia"],"channel":"webhook","target":"\(url)"}
            """)
        let publisher = try await fixture.key("stadt-essen", .eventsPublish)
        let published = try await client.json(.post, "/v1/events", key: publisher, body: """
            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage"}
            """)
        let eventID = try #require(published.body["id"] as? String)
        return try #require(try await fixture.store.deliveries(eventID: eventID).first?.id)
    }

    /// Waits (bounded) until the delivery has had `attempts` tries and is no longer being sent.
    func waitForAttempt(_ fixture: TestGateway, _ id: String, _ attempts: Int) async throws -> Delivery {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let delivery = try await fixture.store.delivery(id: id), delivery.attempts == attempts, delivery.status != .sending {
                return delivery
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try #require(try await fixture.store.delivery(id: id))
    }

    @Test("503, 503, 200: delivered on the third try, each after its scheduled wait (±10% jitter), never early")
    func scheduledGaps() async throws {
        let clock = ManualClock(start)
        let inbox = Inbox(answers: [.serviceUnavailable, .serviceUnavailable, .noContent])
        let other = Inbox()
        try await TestGateway.withGateway(
            retrySchedule: RetrySchedule(delays: [.zero, .seconds(5), .seconds(300), .seconds(3600)]), breaker: .init(threshold: 100), clock: clock
        ) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(other) { otherURL in try await Inbox.serve(inbox) { url in
                    let sentinel = try await Sentinel.subscribe(fixture, client, inbox: other, url: otherURL)
                    let id = try await publishOne(fixture, client, to: url)
                    let first = try await waitForAttempt(fixture, id, 1)
                    #expect(first.status == .failed)
                    let firstWait = try #require(first.nextAttemptAt).timeIntervalSince(start)
                    #expect((4.5...5.5).contains(firstWait))
                    try await sentinel.pass(client)
                    #expect(await inbox.received.count == 1, "not tried again before its time")
                    #expect(try await fixture.store.delivery(id: id)?.attempts == 1)

                    clock.advance(by: 6)
                    fixture.gateway.dispatcher.wake.signal()
                    let second = try await waitForAttempt(fixture, id, 2)
                    #expect(second.status == .failed)
                    let secondWait = try #require(second.nextAttemptAt).timeIntervalSince(start.addingTimeInterval(6))
                    #expect((270...330).contains(secondWait))
                    // 200 s on: short of even the earliest jittered wait (270 s).
                    clock.advance(by: 200)
                    try await sentinel.pass(client)
                    #expect(await inbox.received.count == 2, "not tried again before its time")
                    #expect(try await fixture.store.delivery(id: id)?.attempts == 2)

                    clock.advance(by: 131)
                    fixture.gateway.dispatcher.wake.signal()
                    let third = try await waitForAttempt(fixture, id, 3)
                    #expect(third.status == .delivered)
                    let history = try await fixture.store.attempts(deliveryID: id)
                    #expect(history.map(\.startedAt) == [start, start.addingTimeInterval(6), start.addingTimeInterval(337)])
                    #expect(await inbox.received.count == 3)
                    #expect(Set(await inbox.received.compactMap { $0.headers["webhook-id"] }) == [id], "the same webhook-id every time")
                } }
            }
        }
    }

    @Test("Retry-After on 503 is honoured when it asks for longer than the schedule")
    func retryAfter() async throws {
        let clock = ManualClock(start)
        let inbox = Inbox(answers: [.serviceUnavailable, .noContent], retryAfter: "120")
        let other = Inbox()
        try await TestGateway.withGateway(retrySchedule: RetrySchedule(delays: [.zero, .seconds(5)]), clock: clock) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(other) { otherURL in try await Inbox.serve(inbox) { url in
                    let sentinel = try await Sentinel.subscribe(fixture, client, inbox: other, url: otherURL)
                    let id = try await publishOne(fixture, client, to: url)
                    let first = try await waitForAttempt(fixture, id, 1)
                    #expect(first.nextAttemptAt == start.addingTimeInterval(120))
                    clock.advance(by: 60)
                    try await sentinel.pass(client)
                    #expect(await inbox.received.count == 1, "five seconds of schedule do not override the receiver's two minutes")
                    clock.advance(by: 60)
                    fixture.gateway.dispatcher.wake.signal()
                    #expect(try await waitForAttempt(fixture, id, 2).status == .delivered)
                } }
            }
        }
    }

    @Test("a subscription failing without a success for five days is disabled, its open deliveries stop, and new events pass it by")
    func disabledAfterFiveDays() async throws {
        let clock = ManualClock(start)
        let inbox = Inbox(answers: [.serviceUnavailable])
        let day: Int64 = 86_400
        try await TestGateway.withGateway(
            retrySchedule: RetrySchedule(delays: [.zero] + Array(repeating: .seconds(day), count: 9)), breaker: .init(threshold: 1000), clock: clock
        ) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    let id = try await publishOne(fixture, client, to: url)
                    var delivery = try await waitForAttempt(fixture, id, 1)
                    let subscriptionID = delivery.subscriptionId
                    for attempt in 2...6 {
                        clock.advance(by: 1.2 * Double(day))
                        fixture.gateway.dispatcher.wake.signal()
                        delivery = try await waitForAttempt(fixture, id, attempt)
                        // The dispatcher disables right after recording the attempt: wait (bounded) for it.
                        let deadline = ContinuousClock.now + .seconds(5)
                        var subscription = try #require(try await fixture.store.subscription(id: subscriptionID))
                        while attempt == 6, subscription.enabled, ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(10))
                            subscription = try #require(try await fixture.store.subscription(id: subscriptionID))
                        }
                        // Attempt 6 is six days after the first failure: past the five-day limit.
                        #expect(subscription.enabled == (attempt < 6), "attempt \(attempt)")
                    }
                    delivery = try #require(try await fixture.store.delivery(id: id))
                    let subscription = try #require(try await fixture.store.subscription(id: subscriptionID))
                    #expect(subscription.disabledReason?.hasPrefix("deliveries failed without a success for 5 days") == true)
                    #expect(delivery.status == .suppressed && delivery.lastError?.hasPrefix("subscription disabled") == true)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let later = try await client.json(.post, "/v1/events", key: publisher, body: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Neue Lage"}
                        """)
                    #expect(later.body["deliveries"] as? Int == 0)
                    let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                    #expect(metrics.contains(#"siko_subscriptions_disabled_total{reason="failing"} 1"#))
                    let deadline = ContinuousClock.now + .seconds(5)
                    var audited = false
                    while !audited, ContinuousClock.now < deadline {
                        audited = try await fixture.store.auditEntries(after: 0, limit: 100, partner: "stadt-essen").contains {
                            $0.record.action == "subscription.disable" && $0.record.actor == "system" && $0.record.object == subscriptionID
                        }
                        if !audited { try await Task.sleep(for: .milliseconds(10)) }
                    }
                    #expect(audited, "the gateway's own disabling is in the audit trail")
                }
            }
        }
    }
}
