import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import NIOCore
import SikoModel
import SikoSQLite
import Testing

/// `kill -9` in the middle of a fan-out, then a restart on the same data folder, with the real binary.
@Suite("Crash safety with the real binary", .serialized)
struct CrashTests {
    func post(_ url: String, key: String, _ body: String) async throws -> (status: UInt, body: [String: Any]) {
        try await LiveHTTP.post(url, key: key, body)
    }

    /// Starts `siko serve`, subscribes `url` and publishes `events`, waiting until the receiver has them all.
    func startSending(_ data: String, to url: String, inbox: Inbox, events: Int, _ extra: String...) async throws -> SikoServe {
        let key = try SikoBinary.run(
            "keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--scope", "subscriptions:manage"
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try SikoServe(
            arguments: ["serve", "--data", data, "--port", "0"] + extra, environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"]
        )
        do {
            let base = "http://127.0.0.1:\(try await port(of: server))"
            _ = try await post(base + "/v1/subscriptions", key: key, #"{"name":"Lage","areas":["essen"],"channel":"webhook","target":"\#(url)"}"#)
            for number in 0..<events {
                _ = try await post(base + "/v1/events", key: key, #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \#(number)"}"#)
            }
            // Every send in flight before the SIGTERM: the drain is what these tests are about.
            let deadline = ContinuousClock.now + .seconds(120)
            while await inbox.received.count < events, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let arrived = await inbox.received.count
            try #require(arrived == events, "the receiver got \(arrived) of \(events) sends within 120 s:\n\(server.output)")
            return server
        } catch {
            try await server.stop()
            throw error
        }
    }

    @Test("SIGTERM drains: sends in flight finish and are recorded, then exit 0")
    func sigtermDrains() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let inbox = Inbox(delay: .seconds(2))
        try await Inbox.serve(inbox) { url in
            let server = try await startSending(data, to: url, inbox: inbox, events: 3, "--drain-timeout", "30s")
            server.process.terminate()
            try await server.stop()
            #expect(server.process.terminationStatus == 0)
            let deliveries = try await SQLiteStore(path: data + "/siko.sqlite").deliveries(matching: DeliveryQuery(limit: 10))
            #expect(deliveries.count == 3 && deliveries.allSatisfy { $0.status == .delivered }, "\(deliveries.map(\.status))")
        }
    }

    @Test("SIGTERM with a receiver slower than the drain timeout: the sends are given back unsent, then exit 0")
    func sigtermGivesBack() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let inbox = Inbox(delay: .seconds(30))
        try await Inbox.serve(inbox) { url in
            let server = try await startSending(data, to: url, inbox: inbox, events: 2, "--drain-timeout", "1s")
            server.process.terminate()
            try await server.stop()
            #expect(server.process.terminationStatus == 0)
            #expect(server.output.contains("gave back unfinished sends"))
            let deliveries = try await SQLiteStore(path: data + "/siko.sqlite").deliveries(matching: DeliveryQuery(limit: 10))
            #expect(deliveries.count == 2)
            #expect(deliveries.allSatisfy { $0.status == .pending && $0.attempts == 0 }, "due again at once, the cut-off try not counted")
        }
    }

    func port(of server: SikoServe) async throws -> Int { try await server.port() }

    @Test("kill -9 mid-way: after a restart every delivery is final, none lost; only sends in flight arrive twice, with the same webhook-id")
    func killNine() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let key = try SikoBinary.run(
            "keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--scope", "subscriptions:manage"
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let inbox = Inbox(delay: .milliseconds(250))
        let subscriptions = 20, events = 100
        try await Inbox.serve(inbox) { url in
            let first = try SikoServe.on(data)
            var accepted = 0
            do {
                let base = "http://127.0.0.1:\(try await port(of: first))"
                for number in 0..<subscriptions {
                    let created = try await post(base + "/v1/subscriptions", key: key, """
                        {"name":"Lagedienst \(number)","areas":["essen"],"channel":"webhook","target":"\(url)?n=\(number)"}
                        """)
                    #expect(created.status == 201)
                }
                // Publish while deliveries flow; the crash comes when 300 have arrived, whatever is still being published.
                accepted = await withTaskGroup(of: Int.self) { group in
                    group.addTask {
                        var accepted = 0
                        for number in 0..<events {
                            guard let published = try? await post(base + "/v1/events", key: key, """
                                {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Großlage \(number)"}
                                """), published.status == 202 else { break }
                            accepted += 1
                        }
                        return accepted
                    }
                    group.addTask {
                        // No fixed budget decides when the crash comes: 300 arrivals, however long a loaded
                        // debug build takes (bounded only so a stuck gateway cannot hang the run).
                        let deadline = ContinuousClock.now + .seconds(600)
                        while await inbox.received.count < 300, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
                        kill(first.process.processIdentifier, SIGKILL)
                        return 0
                    }
                    return await group.reduce(0, +)
                }
            } catch {
                try await first.stop()
                throw error
            }
            while first.process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
            let beforeRestart = await inbox.received.count
            if beforeRestart < 300 { Issue.record("the gateway was killed after only \(beforeRestart) arrivals, not mid-way at 300") }

            let second = try SikoServe.on(data)
            do {
                _ = try await port(of: second)
                let store = try SQLiteStore(path: data + "/siko.sqlite")
                try await AfterCrash.waitWhileShrinking(store)
                var final = 0
                var interrupted: Set<String> = []
                let all = try await AfterCrash.allDeliveries(store)
                for delivery in all {
                    if delivery.status == .delivered { final += 1 }
                    let attempts = try await store.attempts(deliveryID: delivery.id)
                    if attempts.contains(where: { $0.error?.hasPrefix("interrupted") == true }) { interrupted.insert(delivery.id) }
                }
                let stored = Set(all.map(\.eventId)).count
                #expect(stored >= accepted && stored <= accepted + 1, "every event answered 202 was stored (one more may have been committed as the process died)")
                #expect(all.count == subscriptions * stored, "every planned delivery was stored with its event")
                #expect(final == all.count, "every delivery delivered, none lost")
                #expect(!interrupted.isEmpty, "the crash hit sends in flight")

                let received = await inbox.received.compactMap { $0.headers["webhook-id"] }
                var seen: [String: Int] = [:]
                for id in received { seen[id, default: 0] += 1 }
                let duplicated = Set(seen.filter { $0.value > 1 }.keys)
                #expect(Set(seen.keys) == Set(all.map(\.id)), "each delivery arrived under its own webhook-id")
                #expect(duplicated.isSubset(of: interrupted), "only sends in flight at the crash arrive twice")
                print("crash test: \(accepted) events accepted, \(all.count) deliveries, \(beforeRestart) arrived before kill -9, \(interrupted.count) were in flight, \(duplicated.count) arrived twice (\(received.count - seen.count) extra requests)")
            } catch {
                try await second.stop()
                throw error
            }
            try await second.stop()
            #expect(second.process.terminationStatus == 0)
        }
    }
}
