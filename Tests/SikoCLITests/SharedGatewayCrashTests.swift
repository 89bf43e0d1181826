import Foundation
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing

/// `kill -9` of one of three gateways on one PostgreSQL, with the real binary: the other two take
/// over its leases once they expire, and nothing is lost.
@Suite("A gateway of three dies", .serialized)
struct SharedGatewayCrashTests {
    @Test("three gateways, 20,000 webhook deliveries, one kill -9ed mid-way and not restarted: every delivery final, none lost, duplicates only of sends in flight")
    func killOneOfThree() async throws {
        let shared = try await SharedGateways.make()
        let key = try shared.apiKey()
        let subscriptions = 20, events = 1000
        let inbox = Inbox(delay: .milliseconds(50))
        try await Inbox.serve(inbox) { url in
            let gateways = try await shared.start(3)
            let victim = gateways[0].server
            var accepted = 0, atKill = 0
            do {
                for number in 0..<subscriptions {
                    let created = try await LiveHTTP.post(gateways[number % 3].base + "/v1/subscriptions", key: key, """
                        {"name":"Lagedienst \(number)","areas":["essen"],"channel":"webhook","target":"\(url)?n=\(number)"}
                        """)
                    #expect(created.status == 201)
                }
                // Each gateway matches every subscription before the first event (the follower's catch-up is 1 s).
                try await Task.sleep(for: .seconds(2))
                // One queue of events for all three publishers: what the dead gateway's publisher had
                // in hand goes back to the others under the same externalId, so all 20,000 deliveries
                // are posted and a copy the dead one committed before dying counts once.
                let queue = EventQueue(count: events)
                let posted = await withTaskGroup(of: (accepted: Set<String>, atKill: Int).self) { group in
                    for (index, gateway) in gateways.enumerated() {
                        group.addTask {
                            var accepted: Set<String> = []
                            while let number = await queue.next() {
                                let published: (status: UInt, body: [String: Any])
                                do {
                                    published = try await LiveHTTP.post(gateway.base + "/v1/events", key: key, """
                                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Großlage \(number)","externalId":"grosslage-\(number)"}
                                        """)
                                } catch {
                                    await queue.giveBack(number)
                                    // The victim's connection breaks when it dies; the others' must not.
                                    if index != 0 { Issue.record("publishing to gateway \(index) failed: \(error)") }
                                    break
                                }
                                // 200: the dead gateway had stored it before dying; the answer names that event.
                                guard published.status == 202 || published.status == 200, let id = published.body["id"] as? String else {
                                    Issue.record("gateway \(index) answered \(published.status): \(published.body)")
                                    await queue.giveBack(number)
                                    break
                                }
                                #expect(published.body["deliveries"] as? Int == subscriptions)
                                accepted.insert(id)
                                await queue.done(number)
                            }
                            return (accepted, 0)
                        }
                    }
                    group.addTask {
                        let deadline = ContinuousClock.now + .seconds(600)
                        while await inbox.received.count < 5000, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
                        kill(victim.process.processIdentifier, SIGKILL)
                        return ([], await inbox.received.count)
                    }
                    return await group.reduce((Set<String>(), 0)) { ($0.0.union($1.accepted), $0.1 + $1.atKill) }
                }
                (accepted, atKill) = (posted.0.count, posted.1)
            } catch {
                for (server, _) in gateways { try? await server.stop() }
                throw error
            }
            while victim.process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
            if atKill < 5000 { Issue.record("the gateway was killed after only \(atKill) arrivals, not mid-way") }

            let store = try await shared.store()
            // As long as the queue shrinks: the dead gateway's leases expire (30 s at most) and pass on.
            try await AfterCrash.waitWhileShrinking(store)
            let all = try await AfterCrash.allDeliveries(store)
            // A send the dead gateway had claimed shows as an attempt number with no record: its claim counted, its end never came.
            var takenOver: Set<String> = []
            for delivery in all where delivery.attempts > 1 {
                let recorded = Set(try await store.attempts(deliveryID: delivery.id).map(\.number))
                if !Set(1...delivery.attempts).isSubset(of: recorded) { takenOver.insert(delivery.id) }
            }
            let stored = Set(all.map(\.eventId)).count
            #expect(accepted == events && stored == events, "every event was accepted once, the dead gateway's share by the others: \(accepted) accepted, \(stored) stored")
            #expect(all.count == subscriptions * events, "every planned delivery was stored with its event: \(all.count)")
            #expect(all.allSatisfy { $0.status == .delivered }, "every delivery delivered, none lost: \(Dictionary(grouping: all, by: \.status).mapValues(\.count))")
            #expect(!takenOver.isEmpty, "the crash hit sends in flight, which the others took over")

            let received = await inbox.received.compactMap { $0.headers["webhook-id"] }
            var seen: [String: Int] = [:]
            for id in received { seen[id, default: 0] += 1 }
            let duplicated = Set(seen.filter { $0.value > 1 }.keys)
            #expect(Set(seen.keys) == Set(all.map(\.id)), "each delivery arrived under its own webhook-id")
            #expect(duplicated.isSubset(of: takenOver), "only sends in flight at the crash arrive twice")
            print("shared crash test: \(accepted) events accepted, \(all.count) deliveries, \(atKill) arrived before kill -9, \(takenOver.count) taken over from the dead gateway, \(duplicated.count) arrived twice (\(received.count - seen.count) extra requests)")
            for (server, _) in gateways.dropFirst() {
                try await server.stop()
                #expect(server.process.terminationStatus == 0)
            }
        }
    }
}

/// The event numbers still to be posted, shared by the publishers of all three gateways. A number
/// is in hand until its publisher says it is done or gives it back; the queue is only empty when
/// nothing is in hand, so a number given back by the dead gateway's publisher is still taken.
actor EventQueue {
    private var waiting: [Int]
    private var inHand = 0

    init(count: Int) { waiting = Array((0..<count).reversed()) }

    func next() async -> Int? {
        while waiting.isEmpty, inHand > 0 { try? await Task.sleep(for: .milliseconds(20)) }
        guard let number = waiting.popLast() else { return nil }
        inHand += 1
        return number
    }

    func done(_ number: Int) { inHand -= 1 }

    func giveBack(_ number: Int) {
        inHand -= 1
        waiting.append(number)
    }
}
