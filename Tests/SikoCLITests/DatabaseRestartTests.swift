import AsyncHTTPClient
import Foundation
import NIOCore
import SikoTestGateway
import SikoTestSupport
import Synchronization
import Testing

/// The database goes away and comes back under two gateways, with the real binary.
@Suite("PostgreSQL restarts under two gateways", .serialized)
struct DatabaseRestartTests {
    /// One publish as the client saw it.
    struct Answer: Sendable {
        var status: UInt
        var eventId: String?
        var retryAfter: String?
        var problem: Bool
    }

    static func publish(_ base: String, key: String, title: String) async throws -> Answer {
        var request = HTTPClientRequest(url: base + "/v1/events")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"\#(title)"}"#))
        // Longer than any bound of the store (15 s): an answer this late is a hang, and fails the test.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return Answer(
            status: response.status.code, eventId: json?["id"] as? String, retryAfter: response.headers.first(name: "retry-after"),
            problem: response.headers.first(name: "content-type")?.hasPrefix("application/problem+json") == true
        )
    }

    static func ready(_ base: String) async -> UInt? {
        let request = HTTPClientRequest(url: base + "/ready")
        return try? await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code
    }

    @Test(
        "pg_ctl restart -m fast while events are posted through two gateways: every accepted delivery arrives, refusals are 503 with Retry-After, both gateways ready again"
    )
    func restartUnderLoad() async throws {
        let cluster = try await PostgresHarness.ownCluster()
        let shared = try await SharedGateways.make(on: cluster)
        let key = try shared.apiKey()
        let inbox = Inbox()
        try await Inbox.serve(inbox) { url in
            let gateways = try await shared.start(2)
            let created = try await LiveHTTP.post(gateways[0].base + "/v1/subscriptions", key: key, """
                {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"\(url)"}
                """)
            try #require(created.status == 201)
            try await Task.sleep(for: .seconds(2))
            let answers = try await withThrowingTaskGroup(of: [Answer].self) { group in
                for (index, gateway) in gateways.enumerated() {
                    group.addTask {
                        var answers: [Answer] = []
                        let until = ContinuousClock.now + .seconds(8)
                        var number = 0
                        while ContinuousClock.now < until {
                            do {
                                answers.append(try await Self.publish(gateway.base, key: key, title: "Lage \(index)-\(number)"))
                            } catch {
                                Issue.record("publish \(number) to gateway \(index) got no answer (\(error)); its log:\n\(gateway.server.output.suffix(6000))")
                                throw error
                            }
                            number += 1
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        return answers
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    try await cluster.restart()
                    return []
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let accepted = answers.filter { $0.status == 202 }.compactMap(\.eventId)
            let refused = answers.filter { $0.status != 202 }
            #expect(refused.allSatisfy { $0.status == 503 && $0.retryAfter != nil && $0.problem }, "only 503 problem+json with Retry-After: \(refused.map(\.status))")
            let deadline = ContinuousClock.now + .seconds(60)
            var arrived: Set<String> = []
            while ContinuousClock.now < deadline {
                arrived = Set(await inbox.received.compactMap { received in
                    (try? JSONSerialization.jsonObject(with: received.body) as? [String: Any]).flatMap { ($0["event"] as? [String: Any])?["id"] as? String }
                })
                if Set(accepted).isSubset(of: arrived) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let missing = Set(accepted).subtracting(arrived)
            if !missing.isEmpty {
                let store = try await shared.store()
                for id in missing.prefix(5) {
                    let states = try await store.deliveries(eventID: id).map { "\($0.status) attempts \($0.attempts) \($0.lastError ?? "")" }
                    print("missing \(id): \(states)")
                }
                for (index, gateway) in gateways.enumerated() { try? gateway.server.output.write(toFile: "/tmp/gw\(index).log", atomically: true, encoding: .utf8) }
            }
            #expect(missing.isEmpty, "every accepted event's delivery arrived; missing \(missing.count) of \(accepted.count)")
            for gateway in gateways {
                var status: UInt?
                let until = ContinuousClock.now + .seconds(30)
                repeat {
                    status = await Self.ready(gateway.base)
                    if status == 200 { break }
                    try await Task.sleep(for: .milliseconds(200))
                } while ContinuousClock.now < until
                #expect(status == 200, "the gateway is ready again")
            }
            print("restart test: \(answers.count) publishes, \(accepted.count) accepted, \(refused.count) refused with 503, all accepted arrived: \(missing.isEmpty)")
            for (server, _) in gateways { try await server.stop() }
        }
        try await cluster.stop()
    }
}
