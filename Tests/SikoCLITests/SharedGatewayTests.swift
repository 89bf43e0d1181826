import Foundation
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing

/// Gateways on one PostgreSQL, with the real binary: what one of them is told, all of them know.
@Suite("Several gateways on one PostgreSQL", .serialized)
struct SharedGatewayTests {
    struct Answer: Sendable {
        var status: UInt
        var id: String?
        var duplicate: Bool?
    }

    @Test("a subscription made on gateway A matches an event posted to gateway B a second later")
    func subscriptionFollows() async throws {
        let shared = try await SharedGateways.make()
        let key = try shared.apiKey()
        let gateways = try await shared.start(2)
        let inbox = Inbox()
        try await Inbox.serve(inbox) { url in
            let created = try await LiveHTTP.post(gateways[0].base + "/v1/subscriptions", key: key, """
                {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"\(url)"}
                """)
            #expect(created.status == 201)
            try await Task.sleep(for: .seconds(1))
            let published = try await LiveHTTP.post(gateways[1].base + "/v1/events", key: key, """
                {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle in Altenessen"}
                """)
            #expect(published.status == 202)
            #expect(published.body["deliveries"] as? Int == 1, "gateway B matched A's subscription: \(published.body)")
            let deadline = ContinuousClock.now + .seconds(5)
            while await inbox.received.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await inbox.received.count == 1, "the webhook arrived within 5 s")
        }
        for (server, _) in gateways { try await server.stop() }
    }

    @Test("the same externalId posted to two gateways at once gives one event")
    func externalIdOnce() async throws {
        let shared = try await SharedGateways.make()
        let key = try shared.apiKey()
        let gateways = try await shared.start(2)
        for round in 0..<20 {
            let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
                for gateway in gateways {
                    group.addTask {
                        let answer = try await LiveHTTP.post(gateway.base + "/v1/events", key: key, """
                            {"externalId":"lage-\(round)","topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(round)"}
                            """)
                        return Answer(status: answer.status, id: answer.body["id"] as? String, duplicate: answer.body["duplicate"] as? Bool)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 202 || $0.status == 200 }, "\(answers)")
            #expect(Set(answers.compactMap(\.id)).count == 1, "round \(round): both answers name one event: \(answers)")
            #expect(answers.filter { $0.duplicate == false }.count == 1, "one stored it, the other found it: \(answers)")
        }
        let store = try await shared.store()
        let events = try await store.recentEvents(visibleTo: nil, before: nil, limit: 100)
        #expect(events.count == 20, "one event per externalId, whichever gateway stored it")
        for (server, _) in gateways { try await server.stop() }
    }

    @Test("siko audit verify passes after concurrent publishing through three gateways")
    func auditChain() async throws {
        let shared = try await SharedGateways.make()
        let key = try shared.apiKey()
        let gateways = try await shared.start(3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for gateway in gateways {
                group.addTask {
                    for number in 0..<40 {
                        let answer = try await LiveHTTP.post(gateway.base + "/v1/events", key: key, """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                            """)
                        #expect(answer.status == 202)
                    }
                }
            }
            try await group.waitForAll()
        }
        for (server, _) in gateways { try await server.stop() }
        let verified = try shared.run("audit", "verify")
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let entries = try await shared.store().auditEntries(after: 0, limit: 1000, partner: nil)
        #expect(entries.filter { $0.record.action == AuditAction.eventPublish.rawValue }.count == 120, "every publish on the one chain")
        #expect(entries.map(\.sequence) == Array(1...Int64(entries.count)), "sequence numbers without gaps")
    }
}
