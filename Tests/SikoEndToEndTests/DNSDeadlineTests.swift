import SikoTestSupport
import SikoTestGateway
import Foundation
import Testing

/// A webhook host whose name server never answers, for real: the binary runs in a network namespace
/// whose resolv.conf names a UDP socket that reads queries and never replies, so glibc waits its
/// full 30 seconds. The outbound guard must give up after `dnsTimeout` (2s in Channels/webhook.yaml)
/// and the other subscription must get every event meanwhile.
@Suite("DNS deadline: a name server that never answers, in a network namespace", .serialized)
struct DNSDeadlineTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `ip netns add` with its own resolv.conf; every process started in it is killed and the
    /// namespace and its /etc/netns folder removed by `remove()`.
    final class Namespace {
        let name = "siko-dns-" + UUID().uuidString.prefix(8).lowercased()
        let ip: String
        private var processes: [Process] = []

        init() throws {
            guard let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first(where: FileManager.default.isExecutableFile) else {
                throw Failure(description: "`ip` (iproute2) is missing: this test needs `ip netns`")
            }
            self.ip = ip
            try Self.run(ip, "netns", "add", name)
            do {
                try Self.run(ip, "-n", name, "link", "set", "lo", "up")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                // One name server, asked once for 30s (glibc's longest): a lookup waits all of it.
                try "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n"
                    .write(toFile: folder + "/resolv.conf", atomically: true, encoding: .utf8)
            } catch {
                remove()
                throw error
            }
        }

        var folder: String { "/etc/netns/\(name)" }

        /// Starts `arguments` inside the namespace, its stdout and stderr going to `log`.
        @discardableResult
        func start(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Process {
            guard FileManager.default.createFile(atPath: log, contents: nil) else { throw Failure(description: "cannot create \(log)") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ip)
            process.arguments = ["netns", "exec", name] + arguments
            process.currentDirectoryURL = Repository.root
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = output
            process.standardError = output
            try process.run()
            processes.append(process)
            return process
        }

        /// Runs `arguments` inside the namespace to the end, without blocking a thread meanwhile.
        func run(_ arguments: [String]) async throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ip)
            process.arguments = ["netns", "exec", name] + arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                process.terminationHandler = { _ in done.resume() }
                do { try process.run() } catch { done.resume() }
            }
            return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }

        func remove() {
            for process in processes where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? Self.run(ip, "netns", "delete", name)
            try? FileManager.default.removeItem(atPath: folder)
        }

        static func run(_ command: String, _ arguments: String...) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw Failure(description: "\(command) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
            }
        }
    }

    /// A name server that reads and never answers, and a webhook receiver, on the namespace's loopback.
    static let helpers = #"""
        import http.server, socket, sys, threading
        dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dns.bind(("127.0.0.1", 53))
        def swallow():
            while True:
                query = dns.recv(4096)
                print("dns query", query, flush=True)
        threading.Thread(target=swallow, daemon=True).start()
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["content-length"]))
                print("received", self.headers["webhook-id"], flush=True)
                self.send_response(204)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        print("receiver port", server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// Waits (bounded) until `file` holds a match for `pattern`; answers the file's text.
    func waitFor(_ pattern: Regex<(Substring, Substring)>, in file: String, timeout: Duration = .seconds(30)) async throws -> Substring {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while ContinuousClock.now < deadline {
            text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: pattern) { return match.1 }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "\(pattern) did not appear in \(file):\n\(text)")
    }

    /// An API request from inside the namespace: status and JSON body.
    func api(
        _ namespace: Namespace, _ method: String, _ url: String, key: String, body: String? = nil
    ) async throws -> (status: Int, body: [String: Any]) {
        var arguments = ["curl", "-s", "--max-time", "60", "-X", method, "-H", "authorization: Bearer \(key)", "-w", "\n%{http_code}"]
        if let body { arguments += ["-H", "content-type: application/json", "--data-binary", body] }
        let output = try await namespace.run(arguments + [url])
        guard let newline = output.lastIndex(of: "\n"), let status = Int(output[output.index(after: newline)...]) else {
            throw Failure(description: "curl \(method) \(url) gave no status: \(output)")
        }
        let json = try? JSONSerialization.jsonObject(with: Data(output[..<newline].utf8)) as? [String: Any]
        return (status, json ?? [:])
    }

    static func instant(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        let precise = ISO8601DateFormatter()
        precise.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return precise.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    @Test("a webhook host whose name server never answers fails its attempt after the 2s deadline; another target gets all 20 events meanwhile")
    func nameServerNeverAnswers() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let namespace = try Namespace()
        defer { namespace.remove() }

        let helperLog = folder.file("helpers.log")
        try namespace.start(["python3", "-c", Self.helpers], log: helperLog)
        let receiverPort = try #require(Int(try await waitFor(/receiver port (\d+)/, in: helperLog)))

        let data = folder.file("data")
        let key = try SikoBinary.run(
            "keys", "create", "--data", data, "--partner", "stadt-essen",
            "--scope", "events:publish", "--scope", "subscriptions:manage", "--scope", "deliveries:read"
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let serverLog = folder.file("siko.log")
        try namespace.start(
            [SikoBinary.executable.path, "serve", "--data", data, "--port", "0"], log: serverLog,
            environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8", "SIKO_LOG_LEVEL": "info"]
        )
        let base = "http://127.0.0.1:\(try await waitFor(/url=http:\/\/127\.0\.0\.1:(\d+)/, in: serverLog))"

        // Made through the API: the name is looked up then too, and given up on after the deadline.
        let creating = ContinuousClock.now
        let never = try await api(namespace, "POST", base + "/v1/subscriptions", key: key, body: """
            {"name":"Nie erreichbar","areas":["essen"],"channel":"webhook","target":"https://never.example.invalid:\(receiverPort)/hook"}
            """)
        #expect(never.status == 201, "a name that does not resolve yet is accepted: \(never.body)")
        #expect(ContinuousClock.now - creating < .seconds(10), "creating waited for the name server past the deadline")
        let neverID = try #require(never.body["id"] as? String)
        let good = try await api(namespace, "POST", base + "/v1/subscriptions", key: key, body: """
            {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:\(receiverPort)/hook"}
            """)
        #expect(good.status == 201)

        for number in 0..<20 {
            let published = try await api(namespace, "POST", base + "/v1/events", key: key, body: """
                {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                """)
            #expect(published.status == 202)
        }

        // The attempt's own record says how long it waited: the time this test's client needs for
        // 20 publishes and polls on two shared cores is not the gateway's to answer for.
        var failedID: String?
        let deadline = ContinuousClock.now + .seconds(30)
        while failedID == nil, ContinuousClock.now < deadline {
            let page = try await api(namespace, "GET", base + "/v1/deliveries?subscription=\(neverID)", key: key)
            let deliveries = page.body["deliveries"] as? [[String: Any]] ?? []
            if let failed = deliveries.first(where: { ($0["attempts"] as? Int ?? 0) > 0 }) {
                failedID = failed["id"] as? String
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let id = try #require(failedID, "no attempt to never.example.invalid was recorded within 30s")
        let delivery = try await api(namespace, "GET", base + "/v1/deliveries/\(id)", key: key)
        let attempt = try #require((delivery.body["history"] as? [[String: Any]])?.first, "\(delivery.body)")
        let started = try #require(Self.instant(attempt["startedAt"]), "\(attempt)")
        let finished = try #require(Self.instant(attempt["finishedAt"]), "\(attempt)")
        let waited = finished.timeIntervalSince(started)
        // At most the 2 s deadline (less when the lookup made at creation already timed out and is remembered).
        #expect(waited < 10, "the attempt waited \(waited)s for the name server")
        let reason = attempt["error"] as? String
        #expect(reason?.contains("cannot resolve never.example.invalid: timed out") == true, "\(reason ?? "no reason")")

        let received = ContinuousClock.now + .seconds(30)
        var count = 0
        while ContinuousClock.now < received {
            count = ((try? String(contentsOfFile: helperLog, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("received ") }.count
            if count >= 20 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(count == 20, "every event reached the other subscription")
        let helpers = (try? String(contentsOfFile: helperLog, encoding: .utf8)) ?? ""
        #expect(helpers.contains("dns query") && helpers.contains("never"), "the name server was asked (and kept silent)")
    }
}
