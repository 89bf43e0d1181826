import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// One bad receiver must never delay the others: real receivers on 127.0.0.1, a live gateway.
@Suite("Isolation: a slow receiver does not delay a fast one")
struct IsolationEndToEndTests {
    @Test("a receiver that takes 30 s holds only its own cap; every delivery to a fast receiver arrives meanwhile")
    func slowReceiver() async throws {
        let slow = Inbox(delay: .seconds(30))
        let fast = Inbox()
        try await TestGateway.withGateway(
            retrySchedule: RetrySchedule(delays: [.zero, .seconds(60)]), webhookTimeout: .seconds(40), perTargetConcurrency: 2
        ) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(slow) { slowURL in
                    try await Inbox.serve(fast) { fastURL in
                        for (partner, url) in [("stadt-essen", slowURL), ("bundespolizei", fastURL)] {
                            let manager = try await fixture.key(partner, .subscriptionsManage)
                            let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                                {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                                """)
                            #expect(created.status == .created)
                        }
                        let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                        var deliveries: [Delivery] = []
                        for number in 0..<20 {
                            let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                                {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                                """)
                            let eventID = try #require(published.body["id"] as? String)
                            deliveries += try await fixture.store.deliveries(eventID: eventID)
                        }
                        // The slow receiver holds its two sends for 30 s; wait (bounded) until both reached it,
                        // so the check below is not won merely because the gateway had not got that far.
                        let deadline = ContinuousClock.now + .seconds(25)
                        while await slow.received.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                        #expect(await slow.received.count == 2, "the slow target takes its cap of two sends")
                        let toFast = deliveries.filter { $0.target == fastURL }
                        #expect(toFast.count == 20)
                        for delivery in toFast { #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered) }
                        #expect(await fast.received.count == 20)
                        // While the fast target got all twenty, the slow one is still answering its first two:
                        // it holds its cap, and no more go to it.
                        #expect(await slow.received.count == 2, "the slow target holds its cap of two sends, and no more go to it")
                        let toSlow = try await fixture.store.deliveries(matching: DeliveryQuery(limit: 1000)).filter { $0.target == slowURL }
                        #expect(toSlow.count == 20 && toSlow.allSatisfy { $0.status != .delivered }, "none of the slow target's deliveries has finished yet")
                    }
                }
            }
        }
    }

    @Test("after three failures in a row the host's breaker opens: nothing more is sent there until the cooldown, then one probe; /metrics says so")
    func breakerOpens() async throws {
        // A hand-moved clock: the cooldown ends when the test says, and "nothing more" is checked at
        // a known time (a sentinel's pass) rather than after a sleep.
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        let down = Inbox(answers: [.serviceUnavailable])
        let other = Inbox()
        try await TestGateway.withGateway(
            retrySchedule: RetrySchedule(delays: [.zero, .zero, .zero, .zero]), breaker: .init(threshold: 3, cooldown: .seconds(600)), clock: clock
        ) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(other) { otherURL in try await Inbox.serve(down) { url in
                    let sentinel = try await Sentinel.subscribe(fixture, client, inbox: other, url: otherURL)
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    _ = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"Lage","areas":["essen"],"topics":["razzia"],"channel":"webhook","target":"\(url)"}
                        """)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    for number in 0..<5 {
                        _ = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                    }
                    func metrics() async throws -> String {
                        String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                    }
                    func toDown() async throws -> [Delivery] {
                        try await fixture.store.deliveries(matching: DeliveryQuery(limit: 100)).filter { $0.target == url }
                    }
                    // Settled: the breaker is open and no send to the host is in flight.
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        let waiting = try await toDown()
                        if try await metrics().contains(#"siko_circuit_breakers{state="open"} 1"#), waiting.count == 5,
                           waiting.allSatisfy({ $0.status != .sending }) { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(try await metrics().contains(#"siko_circuit_breakers{state="open"} 1"#))
                    let whenOpened = await down.received.count
                    #expect(whenOpened >= 3 && whenOpened < 5 * 4, "at least three failures; sends already in flight may add to them")
                    // Deliveries made after the breaker opened may still read due now: the claim passes
                    // them by rather than postponing them. What counts is that none is sent, below.
                    let waiting = try await toDown()
                    #expect(waiting.allSatisfy { $0.status == .pending || $0.status == .failed }, "\(waiting.map { "\($0.status) \($0.attempts)" })")
                    let attempts = waiting.map(\.attempts).reduce(0, +)
                    // Two more while it is open: these were never postponed, only the breaker holds them.
                    for number in 5..<7 {
                        _ = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                    }
                    #expect(try await toDown().count == 7)

                    try await sentinel.pass(client)
                    clock.advance(by: 599)
                    try await sentinel.pass(client)
                    #expect(await down.received.count == whenOpened, "once open, the host is left alone until the cooldown")
                    #expect(try await toDown().map(\.attempts).reduce(0, +) == attempts, "nor claimed")

                    clock.advance(by: 2)
                    fixture.gateway.dispatcher.wake.signal()
                    let probeDeadline = ContinuousClock.now + .seconds(60)
                    while await down.received.count == whenOpened, ContinuousClock.now < probeDeadline { try await Task.sleep(for: .milliseconds(10)) }
                    #expect(await down.received.count == whenOpened + 1, "after the cooldown one probe")
                    // The others claimed beside the probe went back unsent.
                    let heldDeadline = ContinuousClock.now + .seconds(60)
                    var held = ""
                    while ContinuousClock.now < heldDeadline {
                        held = try await metrics()
                        if held.contains(#"siko_circuit_breakers{state="open"} 1"#), try await toDown().allSatisfy({ $0.status != .sending }) { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    let heldBack = held.split(separator: "\n").first { $0.hasPrefix(#"siko_delivery_held_back_total{channel="webhook"}"#) }
                    #expect(heldBack.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 1 } == true, "held back beside the probe: \(String(describing: heldBack))")
                    try await sentinel.pass(client)
                    #expect(await down.received.count == whenOpened + 1, "the failed probe opens the breaker again: still only the one")
                } }
            }
        }
    }

    @Test("a 429 with Retry-After holds the host's other targets until then and does not open its breaker")
    func retryAfterHoldsHost() async throws {
        let busy = Inbox(answers: [.tooManyRequests], retryAfter: "120")
        try await TestGateway.withGateway(
            retrySchedule: RetrySchedule(delays: [.zero, .zero, .zero]), breaker: .init(threshold: 2, cooldown: .seconds(5))
        ) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(busy) { url in
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    for target in [url + "?a", url + "?b"] {
                        _ = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                            {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(target)"}
                            """)
                    }
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    _ = try await client.json(.post, "/v1/events", key: publisher, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage 1"}"#)
                    let deadline = ContinuousClock.now + .seconds(10)
                    while await busy.received.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                    try await Task.sleep(for: .milliseconds(300))
                    for number in 2...4 {
                        _ = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                    }
                    try await Task.sleep(for: .milliseconds(1500))
                    #expect(await busy.received.count == 2, "the host asked for two minutes: nothing more went there")
                    let waiting = try await fixture.store.deliveries(matching: DeliveryQuery(limit: 100))
                    #expect(waiting.count == 8)
                    #expect(waiting.allSatisfy { ($0.nextAttemptAt ?? .distantPast) > Date().addingTimeInterval(100) }, "every delivery to the host waits for its Retry-After")
                    let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                    #expect(metrics.contains(#"siko_circuit_breakers{state="open"} 0"#), "the receiver's wish is not a failure")
                }
            }
        }
    }
}
