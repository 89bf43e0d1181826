import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// A power cut cannot be simulated here, so this watches the real binary's system calls instead:
/// every 202 must be preceded by a sync of the write-ahead log that holds its commit.
@Suite("Durability: each 202 follows a synced commit", .serialized)
struct DurabilityTests {
    @Test("under strace, every accepted event's commit is synced (fsync/fdatasync of the WAL) before its 202 is written")
    func syncedBeforeAccepted() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let key = try SikoBinary.run("keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let trace = folder.file("strace.log")
        let strace = try #require(["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }, "strace is missing: make test installs it")
        let server = try SikoServe(
            arguments: ["serve", "--data", data, "--port", "0"],
            wrapper: [strace, "-f", "-qq", "-y", "-s", "24", "-e", "trace=fsync,fdatasync,write,writev,sendmsg", "-o", trace]
        )
        let accepted = 5
        do {
            let started = try await server.waitFor("listening")
            let port = try #require(started.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
            for number in 0..<accepted {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
                request.method = .POST
                request.headers.add(name: "authorization", value: "Bearer \(key)")
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \#(number)"}"#))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(response.status.code == 202)
            }
        } catch {
            try await Self.stop(server, data: data)
            throw error
        }
        try await Self.stop(server, data: data)
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let order = SyscallOrder(lines)
        #expect(order.responses.count == accepted, "every 202 seen in the trace")
        var previous = -1
        for response in order.responses {
            #expect(order.walSyncs.contains { $0 > previous && $0 < response }, "a WAL sync completed between the previous 202 and this one (line \(response))")
            previous = response
        }
    }
}

extension DurabilityTests {
    /// A SIGTERM to strace detaches it and leaves the traced gateway running, so the gateway (whose
    /// command line names its data folder) is told to stop first.
    static func stop(_ server: SikoServe, data: String) async throws {
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-TERM", "-f", "--", "serve --data \(data) "]
        try pkill.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while pkill.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await server.stop()
    }
}

/// Where in an strace log (`-f -y`) the 202 answers were written and the WAL syncs completed.
struct SyscallOrder {
    var responses: [Int] = []
    var walSyncs: [Int] = []

    init(_ lines: [String]) {
        var unfinished: Set<Substring> = []
        for (index, line) in lines.enumerated() {
            let pid = line.prefix { $0 != " " }
            let isSync = line.contains("fsync(") || line.contains("fdatasync(")
            if isSync, line.contains("siko.sqlite-wal>") {
                if line.contains("<unfinished") { unfinished.insert(pid) } else if line.contains("= 0") { walSyncs.append(index) }
            } else if line.contains("sync resumed>"), unfinished.remove(pid) != nil, line.contains("= 0") {
                walSyncs.append(index)
            } else if line.contains("HTTP/1.1 202") {
                responses.append(index)
            }
        }
    }
}
