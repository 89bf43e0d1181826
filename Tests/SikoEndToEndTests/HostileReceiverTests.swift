import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoConfig
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// Receivers that answer at once with a head and then trickle or flood their body, on real sockets,
/// against a live gateway whose webhook channel is read from a channel file with `timeout: 3s`.
@Suite("Hostile receivers: the timeout covers the whole exchange")
struct HostileReceiverTests {
    static let timeout = Duration.seconds(3)

    /// The test's `Channels/` folder: the shipped keys, with a 3-second timeout.
    static func channels(breakerThreshold: Int, folder: TemporaryDirectory) throws -> ChannelsConfiguration {
        let directory = folder.file("channels")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
            retrySchedule: ["0s", "10m"]
            timeout: 3s
            concurrency: 256
            perTargetConcurrency: 16
            breakerThreshold: \(breakerThreshold)
            breakerCooldown: 10m
            allowPrivateTargets: 127.0.0.0/8
            """.write(toFile: directory + "/webhook.yaml", atomically: true, encoding: .utf8)
        return try ChannelsLoader(directory: directory, environment: [:]).load()
    }

    /// A live gateway whose webhook channel comes from the test's channel file.
    static func withLiveGateway(
        breakerThreshold: Int, _ body: @escaping @Sendable (TestGateway, any TestClientProtocol) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let channels = try Self.channels(breakerThreshold: breakerThreshold, folder: folder)
        try await TestGateway.withGateway(channels: channels) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in try await body(fixture, client) }
        }
    }

    /// Subscribes Essen's webhook to `target`, publishes one event and answers its one delivery.
    static func publishOne(to target: String, client: some TestClientProtocol, fixture: TestGateway) async throws -> Delivery {
        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
        _ = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
            {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(target)"}
            """)
        let publisher = try await fixture.key("stadt-essen", .eventsPublish)
        let published = try await client.json(.post, "/v1/events", key: publisher, body: """
            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage"}
            """)
        let eventID = try #require(published.body["id"] as? String)
        return try #require(try await fixture.store.deliveries(eventID: eventID).first)
    }

    @Test("a receiver that trickles its body one byte a second: the attempt is failed as timed out within 2 × timeout, and the breaker counts it")
    func trickle() async throws {
        try await Self.withLiveGateway(breakerThreshold: 1) { fixture, client in
            try await HostileReceiver.serve(.trickle) { url in
                let delivery = try await Self.publishOne(to: url, client: client, fixture: fixture)
                // Waits generously (a loaded machine schedules late); the promise is checked on the
                // attempt's own start and finish, as the gateway recorded them.
                var seen = delivery
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline, seen.status != .failed {
                    try await Task.sleep(for: .milliseconds(50))
                    seen = try #require(try await fixture.store.delivery(id: delivery.id))
                }
                #expect(seen.status == .failed)
                #expect(seen.lastError == "timed out")
                let attempts = try await fixture.store.attempts(deliveryID: delivery.id)
                #expect(attempts.map(\.status) == [.failed])
                if let attempt = attempts.first {
                    let took = attempt.finishedAt.timeIntervalSince(attempt.startedAt)
                    #expect(took <= 2 * Double(Self.timeout.components.seconds), "the attempt took \(took) s, more than 2 × timeout")
                }
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                #expect(metrics.contains(#"siko_circuit_breakers{state="open"} 1"#), "the timeout counted toward the host's breaker (threshold 1)")
            }
        }
    }

    @Test("beside 20 trickling targets (more slots than the budget), a fast receiver gets every event within 3 × timeout")
    func trickleDoesNotStarve() async throws {
        // A breaker that never opens, so only the deadline frees the slots.
        let fast = Inbox()
        try await Self.withLiveGateway(breakerThreshold: 1000) { fixture, client in
            try await HostileReceiver.serve(.trickle) { trickleURL in
                try await Inbox.serve(fast) { fastURL in
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    for target in (0..<20).map({ "\(trickleURL)?n=\($0)" }) + [fastURL] {
                        let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                            {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(target)"}
                            """)
                        #expect(created.status == .created)
                    }
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let started = ContinuousClock.now
                    for number in 0..<24 {
                        let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                        #expect(published.status == .accepted)
                    }
                    while ContinuousClock.now - started < Self.timeout * 3, await fast.received.count < 24 {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(await fast.received.count == 24, "every event reached the fast receiver within 3 × timeout")
                }
            }
        }
    }

    @Test("a receiver that answers 200 with an endless body: delivered, and its body is not read to the end")
    func endlessBody() async throws {
        try await Self.withLiveGateway(breakerThreshold: 1) { fixture, client in
            try await HostileReceiver.serve(.flood) { url in
                let delivery = try await Self.publishOne(to: url, client: client, fixture: fixture)
                let final = try await fixture.waitForFinal(delivery.id, timeout: Self.timeout * 2)
                #expect(final?.status == .delivered)
            }
        }
    }
}

/// An HTTP receiver on 127.0.0.1 that sends its answer's head at once, then its body slowly
/// (one byte a second for a minute) or without end (64 KiB chunks as fast as it can).
enum HostileReceiver {
    enum Kind { case trickle, flood }

    static func serve<T: Sendable>(_ kind: Kind, _ body: @escaping @Sendable (_ url: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("hook") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody { writer in
                switch kind {
                case .trickle:
                    for _ in 0..<60 {
                        try await writer.write(ByteBuffer(string: "x"))
                        try await Task.sleep(for: .seconds(1))
                    }
                case .flood:
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "y"), count: 64 * 1024)
                    while true { try await writer.write(chunk) }
                }
                try await writer.finish(nil)
            })
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/hook")
        }
    }
}
