import Foundation
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing

/// The duplicate window and flood limits hold over all gateways on one PostgreSQL together, with
/// the real binary: whichever gateway an event reaches, the installation decides as one.
@Suite("Policies over several gateways on one PostgreSQL", .serialized)
struct SharedPolicyTests {
    @Test("the same event posted to two gateways at once is sent once; the copy is suppressed as a duplicate")
    func duplicateOnce() async throws {
        let shared = try await SharedGateways.make()
        let key = try shared.apiKey()
        let gateways = try await shared.start(2)
        let created = try await LiveHTTP.post(gateways[0].base + "/v1/subscriptions", key: key, """
            {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:9/hook"}
            """)
        try #require(created.status == 201)
        try await Task.sleep(for: .seconds(2))
        var eventIDs: [[String]] = []
        for round in 0..<10 {
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for gateway in gateways {
                    group.addTask {
                        let answer = try await LiveHTTP.post(gateway.base + "/v1/events", key: key, """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Razzia Altendorfer Straße \(round)"}
                            """)
                        #expect(answer.status == 202, "\(answer.body)")
                        return answer.body["id"] as? String
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }.compactMap { $0 }
            }
            #expect(Set(ids).count == 2, "two events stored, one per gateway")
            eventIDs.append(ids)
        }
        let store = try await shared.store()
        for (round, ids) in eventIDs.enumerated() {
            var deliveries: [Delivery] = []
            for id in ids { deliveries += try await store.deliveries(eventID: id) }
            let copies = deliveries.filter { $0.rule == .duplicate }
            #expect(deliveries.count == 2 && copies.count == 1, "round \(round): one delivery sent, its copy suppressed: \(deliveries.map { ($0.status, $0.rule) })")
            #expect(copies.allSatisfy { $0.status == .suppressed && $0.lastError?.hasPrefix("repeats evt_") == true })
        }
        for (server, _) in gateways { try await server.stop() }
    }

    @Test("ten webhooks per target and hour means ten in all: 30 events through three gateways at once send 10")
    func floodLimitInAll() async throws {
        let shared = try await SharedGateways.make()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let rules = try SharedGateways.rules(in: folder) {
            $0.replacingOccurrences(of: "floodLimits:\n", with: "floodLimits:\n  - channel: webhook\n    max: 10\n    per: 1h\n")
        }
        let key = try shared.apiKey()
        let gateways = try await shared.start(3, options: [0: ["--rules", rules], 1: ["--rules", rules], 2: ["--rules", rules]])
        let created = try await LiveHTTP.post(gateways[0].base + "/v1/subscriptions", key: key, """
            {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:9/hook"}
            """)
        try #require(created.status == 201)
        try await Task.sleep(for: .seconds(2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, gateway) in gateways.enumerated() {
                group.addTask {
                    for number in 0..<10 {
                        let answer = try await LiveHTTP.post(gateway.base + "/v1/events", key: key, """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle \(index)-\(number)"}
                            """)
                        #expect(answer.status == 202, "\(answer.body)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let store = try await shared.store()
        var all: [Delivery] = []
        for event in try await store.recentEvents(visibleTo: nil, before: nil, limit: 100) { all += try await store.deliveries(eventID: event.id) }
        #expect(all.count == 30)
        #expect(all.filter { $0.status != .suppressed }.count == 10, "ten sent in all: \(Dictionary(grouping: all, by: { $0.rule?.rawValue ?? "sent" }).mapValues(\.count))")
        #expect(all.filter { $0.rule == .floodLimit }.count == 20)
        for (server, _) in gateways { try await server.stop() }
    }
}
