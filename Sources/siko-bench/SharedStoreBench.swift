import AsyncHTTPClient
import Foundation
import NIOCore
import SikoTestSupport
import Synchronization

/// Several release `siko serve` on one PostgreSQL (a private cluster, `fsync` on), beside one on
/// SQLite, in one sitting: ingest under wrk (one wrk per gateway, all at once) and fan-out to
/// webhooks, each a separate process; client, gateways, database and receiver share the cores.
struct SharedStoreBench {
    let rules: String

    enum Setup: CustomStringConvertible {
        case sqlite
        case postgres(gateways: Int)

        var description: String {
            switch self {
            case .sqlite: "1 gateway on SQLite"
            case .postgres(let gateways): "\(gateways) gateway\(gateways == 1 ? "" : "s") on PostgreSQL"
            }
        }
    }

    func run() async throws {
        print("shared store (release siko serve processes; wrk -t1 -c32 -d10s per gateway; fan-out 200 events × 50 webhooks)")
        guard let wrk = WrkIngestBench.find("wrk") else { throw BenchError.unexpected("wrk is missing (make bench installs it)") }
        let cluster = try await PostgresHarness.shared()
        for setup in [Setup.sqlite, .postgres(gateways: 1), .postgres(gateways: 2), .postgres(gateways: 3)] {
            let url: String? = if case .postgres = setup { try await cluster.database() } else { nil }
            let ingest = try await measure(setup, url: url) { bases, key in try await Self.ingest(bases, key: key, wrk: wrk) }
            let fanout = try await measure(setup, url: url == nil ? nil : try await cluster.database()) { bases, key in
                try await Self.fanout(bases, key: key)
            }
            report(setup.description, String(format: "ingest %.0f events/s (p99 %@), fan-out %.0f deliveries/s", ingest.rate, ingest.p99, fanout))
        }
    }

    /// `body` with the setup's gateways started on a fresh store, stopped afterwards.
    private func measure<T>(_ setup: Setup, url: String?, _ body: ([String], String) async throws -> T) async throws -> T {
        let folder = NSTemporaryDirectory() + "siko-shared-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let siko = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("siko").path
        let store = url.map { ["--database", $0] } ?? ["--data", folder + "/data"]
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let environment = ["SIKO_SECRET_KEY": secret, "SIKO_WEBHOOK_ALLOW": "127.0.0.0/8", "SIKO_LOG_LEVEL": "warning"]
        let key = try ChildProcess.output(siko, ["keys", "create", "--partner", "stadt-essen", "--scope", "events:publish", "--scope", "subscriptions:manage"] + store,
                                          environment: environment).trimmingCharacters(in: .whitespacesAndNewlines)
        let count = if case .postgres(let gateways) = setup { gateways } else { 1 }
        var servers: [ChildProcess] = []
        defer { for server in servers { kill(server.process.processIdentifier, SIGKILL) } }
        var bases: [String] = []
        for number in 0..<count {
            let server = try ChildProcess(siko, ["serve", "--rules", rules, "--host", "127.0.0.1", "--port", "0", "--rate-limit", "0"] + store,
                                          environment: environment.merging(["SIKO_LOG_LEVEL": "info"]) { $1 }, log: folder + "/server-\(number).log")
            servers.append(server)
            let base = "http://127.0.0.1:" + (try await server.waitForOutput(/url=http:\/\/127\.0\.0\.1:(\d+)/))
            try await server.waitUntilReady(base + "/ready")
            bases.append(base)
        }
        let result = try await body(bases, key)
        for server in servers { await server.stop() }
        servers = []
        return result
    }

    /// One wrk per gateway at once; answers the summed rate and the worst p99.
    static func ingest(_ bases: [String], key: String, wrk: String) async throws -> (rate: Double, p99: String) {
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for base in bases {
                group.addTask {
                    try WrkIngestBench.run(wrk, ["-t1", "-c32", "-d10s", "--latency", "-s", "bench/post-event.lua", base + "/v1/events"], key: key)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let rate = outputs.compactMap { WrkIngestBench.value(after: "Requests/sec:", in: $0).flatMap(Double.init) }.reduce(0, +)
        let p99s = outputs.compactMap { WrkIngestBench.value(after: "99%", in: $0) }
        return (rate, p99s.max(by: { Self.millis($0) < Self.millis($1) }) ?? "?")
    }

    static func millis(_ latency: String) -> Double {
        if latency.hasSuffix("ms") { return Double(latency.dropLast(2)) ?? 0 }
        if latency.hasSuffix("us") { return (Double(latency.dropLast(2)) ?? 0) / 1000 }
        if latency.hasSuffix("s") { return (Double(latency.dropLast()) ?? 0) * 1000 }
        return 0
    }

    /// 50 webhook subscriptions made through the first gateway, 200 events posted round robin
    /// across all of them from 8 clients: deliveries per second from the first post to the last arrival.
    static func fanout(_ bases: [String], key: String) async throws -> Double {
        let receiver = BenchReceiver()
        return try await receiver.serve { url in
            for number in 0..<50 {
                let status = try await post(bases[0] + "/v1/subscriptions", key: key, """
                    {"name":"Lagedienst \(number)","areas":["essen"],"channel":"webhook","target":"\(url)/\(number)"}
                    """)
                guard status == 201 else { throw BenchError.unexpected("subscription answered \(status)") }
            }
            // Every gateway's match index has every subscription (the follower catches up each second).
            try await Task.sleep(for: .seconds(2))
            let expected = 200 * 50
            let start = ContinuousClock.now
            let next = TicketCounter()
            let failures = await sendConcurrently(count: 200, workers: 8) {
                let number = next.take()
                let status = try? await post(bases[number % bases.count] + "/v1/events", key: key, """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Großlage \(number) \(UUID().uuidString)"}
                    """)
                return status == 202
            }
            guard failures == 0 else { throw BenchError.unexpected("\(failures) events were not accepted") }
            let deadline = ContinuousClock.now + .seconds(300)
            while receiver.received.load(ordering: .relaxed) < expected, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            let arrived = receiver.received.load(ordering: .relaxed)
            guard arrived >= expected else { throw BenchError.unexpected("only \(arrived) of \(expected) deliveries arrived") }
            return Double(expected) / elapsed(since: start)
        }
    }

    static func post(_ url: String, key: String, _ body: String) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code
    }
}
