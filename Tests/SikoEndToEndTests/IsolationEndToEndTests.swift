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
                        let toFast = deliveries.filter { $0.target == fastURL }
                        #expect(toFast.count == 20)
                        for delivery in toFast { #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered) }
                        #expect(await fast.received.count == 20)
                        #expect(await slow.received.count == 2, "the slow target holds its cap of two sends, and no more go to it")
                        let toSlow = try await fixture.store.deliveries(matching: DeliveryQuery(limit: 1000)).filter { $0.target == slowURL }
                        #expect(toSlow.allSatisfy { $0.status != .delivered })
                    }
                }
            }
        }
    }

    @Test("after three failures in a row the host's breaker opens: nothing more is sent there until the cooldown, and /metrics says so")
    func breakerOpens() async throws {
        let down = Inbox(answers: [.serviceUnavailable])
        try await TestGateway.withGateway(
            retrySchedule: RetrySchedule(delays: [.zero, .zero, .zero, .zero]), breaker: .init(threshold: 3, cooldown: .seconds(600))
        ) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(down) { url in
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    _ = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                        """)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    for number in 0..<5 {
                        _ = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                    }
                    let deadline = ContinuousClock.now + .seconds(20)
                    var metrics = ""
                    while ContinuousClock.now < deadline {
                        metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                        if metrics.contains(#"siko_circuit_breakers{state="open"} 1"#) { break }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(metrics.contains(#"siko_circuit_breakers{state="open"} 1"#))
                    let whenOpened = await down.received.count
                    #expect(whenOpened >= 3 && whenOpened < 5 * 4, "at least three failures; sends already in flight may add to them")
                    try await Task.sleep(for: .milliseconds(1500))
                    #expect(await down.received.count == whenOpened, "once open, the host is left alone")
                    let waiting = try await fixture.store.deliveries(matching: DeliveryQuery(limit: 100))
                    #expect(waiting.count == 5)
                    #expect(waiting.allSatisfy { $0.status == .pending || $0.status == .failed })
                    let soonest = waiting.compactMap(\.nextAttemptAt).min() ?? .distantPast
                    #expect(soonest > Date().addingTimeInterval(500), "every delivery to the host waits for the probe: \(waiting.map { "\($0.status) \($0.attempts) \($0.nextAttemptAt!)" })")
                }
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
