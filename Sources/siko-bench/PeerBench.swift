import Foundation
import SikoConfig
import SikoTestSupport

/// The gateway side by side with Prometheus Alertmanager on one workload: 10 city routes plus an
/// urgent one, 3000 events from 16 keep-alive connections, one receiver. Every part is its own
/// process (`bench/peer.py` for the receiver and the load client, the release `siko serve`,
/// Debian's `prometheus-alertmanager`), so the server's CPU time is its own.
struct PeerBench {
    let rules: String
    let runs: Int

    func run() async throws {
        print("peer: the gateway, Alertmanager and the floor on one workload (3000 events + 200 warm-up, 16 connections, \(runs) run(s) each, alternating)")
        guard let python = ProcessInfo.processInfo.environment["SIKO_BENCH_PYTHON"] else {
            report("SIKO_BENCH_PYTHON not set", "skipped (make bench sets it)")
            return
        }
        let alertmanager = try Self.alertmanager()
        let topics = try RulesLoader(directory: rules).load().reference.topics.map(\.id).joined(separator: ",")
        var results: [Peer: [PeerResult]] = [:]
        for run in 1...runs {
            for peer in Peer.allCases where ProcessInfo.processInfo.environment["SIKO_PEER_ONLY"].map({ $0 == peer.rawValue }) ?? true {
                let result = try await PeerRun(peer: peer, python: python, alertmanager: alertmanager, topics: topics).measure()
                results[peer, default: []].append(result)
                report("run \(run): \(peer.rawValue)", result.line)
            }
        }
        Self.summarise(results)
    }

    /// Installs Debian's package when missing (as `make bench` does for its other tools).
    static func alertmanager() throws -> String {
        let path = "/usr/bin/prometheus-alertmanager"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        print("  installing prometheus-alertmanager")
        let command = getuid() == 0 ? "" : "sudo "
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "/bin/sh")
        install.arguments = ["-c", "\(command)apt-get update -qq && DEBIAN_FRONTEND=noninteractive \(command)apt-get install -y -qq --no-install-recommends prometheus-alertmanager"]
        try install.run()
        install.waitUntilExit()
        guard FileManager.default.isExecutableFile(atPath: path) else { throw BenchError.unexpected("could not install prometheus-alertmanager") }
        return path
    }

    static func summarise(_ results: [Peer: [PeerResult]]) {
        guard let gateway = results[.gateway], let peer = results[.alertmanager] else { return }
        func median(_ values: [PeerResult], _ value: (PeerResult) -> Double) -> Double { Sample(values: values.map(value)).median }
        print("  medians                                     Alertmanager    gateway   gateway/AM")
        for (name, value) in [
            ("events accepted/s", { $0.eventsPerSecond }), ("webhooks delivered/s", { $0.webhooksPerSecond }),
            ("server CPU s for the run", { $0.cpuSeconds }), ("server CPU ms per 1000 webhooks", { 1e6 * $0.cpuSeconds / Double($0.webhooks) }),
            ("end-to-end p50 ms", { $0.p50 }), ("end-to-end p99 ms", { $0.p99 }),
        ] as [(String, (PeerResult) -> Double)] {
            let ours = median(gateway, value), theirs = median(peer, value)
            report(name, String(format: "%12.2f %10.2f %10.2f×", theirs, ours, ours / theirs))
        }
        guard let floor = results[.floor] else { return }
        print("  the floor (siko-floor: the same libraries, no store, no rules)")
        for (name, value) in [
            ("events accepted/s", { $0.eventsPerSecond }), ("server CPU ms per 1000 webhooks", { 1e6 * $0.cpuSeconds / Double($0.webhooks) }),
        ] as [(String, (PeerResult) -> Double)] {
            let floor = median(floor, value), theirs = median(peer, value)
            report(name, String(format: "%12.2f %10.2f %10.2f× of Alertmanager", theirs, floor, floor / theirs))
        }
    }
}

enum Peer: String, CaseIterable {
    case alertmanager = "Alertmanager"
    case gateway
    /// `siko-floor`: the gateway's API on the gateway's libraries, keeping nothing.
    case floor
}

/// What the load client measured in one run (`bench/peer.py load` prints it as JSON).
struct PeerResult: Decodable {
    let events, refused, expectedWebhooks, webhooks, unmarked: Int
    let eventsPerSecond, webhooksPerSecond, cpuSeconds, p50, p99: Double
    let firstRefusal: String?

    enum CodingKeys: String, CodingKey {
        case events, refused, webhooks, unmarked
        case expectedWebhooks = "expected_webhooks", eventsPerSecond = "events_per_s", webhooksPerSecond = "webhooks_per_s"
        case cpuSeconds = "cpu_s", p50 = "p50_ms", p99 = "p99_ms", firstRefusal = "first_refusal"
    }

    var line: String {
        var text = String(format: "%.0f events/s, %.0f webhooks/s (%d of %d), CPU %.2f s, p50 %.1f ms, p99 %.1f ms",
                          eventsPerSecond, webhooksPerSecond, webhooks, expectedWebhooks, cpuSeconds, p50, p99)
        if refused > 0 { text += "; \(refused) refused, first: \(firstRefusal ?? "?")" }
        if unmarked > 0 { text += "; \(unmarked) webhooks without a marker" }
        return text
    }
}

/// One server, one receiver, one load client, in a folder of their own; all stopped at the end.
struct PeerRun {
    let peer: Peer
    let python: String
    let alertmanager: String
    let topics: String

    func measure() async throws -> PeerResult {
        let folder = NSTemporaryDirectory() + "siko-peer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var started: [ChildProcess] = []
        do {
            let receiver = try ChildProcess(python, ["bench/peer.py", "receiver"], log: folder + "/receiver.log")
            started.append(receiver)
            let receiverURL = "http://127.0.0.1:" + (try await receiver.waitForOutput(/port (\d+)/))
            let (server, url, key) = try await start(in: folder, receiver: receiverURL, started: &started)
            let load = try ChildProcess(python, [
                "bench/peer.py", "load", "--server", peer == .alertmanager ? "alertmanager" : "gateway", "--url", url,
                "--receiver", receiverURL, "--pid", String(server.process.processIdentifier), "--key", key, "--topics", topics,
            ], log: folder + "/load.log")
            started.append(load)
            let profiler = try profile(server, in: folder)
            let line = try await load.waitForOutput(/(\{.*\})/, timeout: .seconds(300))
            await profiler?.stop()
            for process in started.reversed() { await process.stop() }
            return try JSONDecoder().decode(PeerResult.self, from: Data(line.utf8))
        } catch {
            for process in started.reversed() { await process.stop() }
            throw error
        }
    }

    /// With `SIKO_PEER_PROFILE=FILE`, `perf record` samples the gateway (cpu-clock, call graphs)
    /// from the warm-up to the end of the run, into FILE.
    private func profile(_ server: ChildProcess, in folder: String) throws -> ChildProcess? {
        guard peer == .gateway, let output = ProcessInfo.processInfo.environment["SIKO_PEER_PROFILE"] else { return nil }
        return try ChildProcess("/usr/bin/perf", [
            "record", "-e", "cpu-clock", "-F", "1999", "-g", "-o", output, "-p", String(server.process.processIdentifier),
        ], log: folder + "/perf.log")
    }

    private func start(in folder: String, receiver: String, started: inout [ChildProcess]) async throws -> (ChildProcess, String, String) {
        switch peer {
        case .alertmanager:
            let port = try KannelHarness.freePort()
            // The workload's routes come from the script that makes its events, so both name the same cities.
            try ChildProcess.output(python, ["bench/peer.py", "alertmanager-config", receiver + "/hook"])
                .write(toFile: folder + "/alertmanager.yml", atomically: true, encoding: .utf8)
            let server = try ChildProcess(alertmanager, [
                "--config.file=\(folder)/alertmanager.yml", "--storage.path=\(folder)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
            ], log: folder + "/server.log")
            started.append(server)
            let url = "http://127.0.0.1:\(port)"
            try await server.waitUntilReady(url + "/-/ready")
            return (server, url, "")
        case .gateway, .floor:
            let siko = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent(peer == .floor ? "siko-floor" : "siko").path
            let data = folder + "/data"
            let key = try ChildProcess.output(siko, [
                "keys", "create", "--data", data, "--partner", "geschaeftsstelle",
                "--scope", "events:publish", "--scope", "events:publish-direct", "--scope", "subscriptions:manage",
            ]).trimmingCharacters(in: .whitespacesAndNewlines)
            let server = try ChildProcess(siko, ["serve", "--data", data, "--host", "127.0.0.1", "--port", "0", "--rate-limit", "0"],
                                          environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8", "SIKO_LOG_LEVEL": "info"], log: folder + "/server.log")
            started.append(server)
            let url = "http://127.0.0.1:" + (try await server.waitForOutput(/url=http:\/\/127\.0\.0\.1:(\d+)/))
            try await server.waitUntilReady(url + "/ready")
            return (server, url, key)
        }
    }
}
