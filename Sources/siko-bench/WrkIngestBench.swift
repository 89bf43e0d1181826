import Foundation
import SikoModel

/// Ingest under wrk, a C load generator in its own process, so the client costs far less than
/// the in-process HTTP client does; together with `IngestBench` it brackets the server's capacity.
struct WrkIngestBench {
    let rules: String

    func run() async throws {
        print("ingest under wrk (1 thread, 64 connections, 10 s; each 202 after its durable commit)")
        guard let wrk = Self.find("wrk") else {
            report("wrk not installed", "skipped (make bench installs it)")
            return
        }
        try await LiveGateway.with(rules: rules) { live in
            let key = try await live.key("stadt-essen", [.eventsPublish])
            let output = try Self.run(wrk, ["-t1", "-c64", "-d10s", "--latency", "-s", "bench/post-event.lua", live.baseURL + "/v1/events"], key: key)
            let rate = Self.value(after: "Requests/sec:", in: output) ?? "?"
            let errors = Self.value(after: "Non-2xx or 3xx responses:", in: output) ?? "0"
            let p50 = Self.value(after: "50%", in: output) ?? "?"
            let p99 = Self.value(after: "99%", in: output) ?? "?"
            report("64 connections, no subscribers", "\(rate) events/s  (latency p50 \(p50), p99 \(p99); non-2xx: \(errors))")
        }
    }

    static func find(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String], key: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["SIKO_KEY": key]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func value(after label: String, in output: String) -> String? {
        for line in output.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(label) {
                return trimmed.dropFirst(label.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
            }
        }
        return nil
    }
}
