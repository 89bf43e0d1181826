import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import NIOCore
import SikoModel
import Synchronization
import Testing

/// DNS rebinding against an https target, for real: the binary runs in a mount namespace of its
/// own whose /etc/hosts the test rewrites. The name first points at the receiver (127.0.0.2, the
/// only address allowed), then at an "internal" host (127.0.0.3) with a valid certificate for the
/// same name. The gateway must keep connecting to the address its guard checked.
@Suite("https pinned to the checked address", .serialized)
struct PinningTests {
    /// An https receiver (`Tests/python/tls_receiver.py`) on one address; one line per request.
    final class TLSReceiver: Sendable {
        let process: Process
        let port: Int
        private let lines = Lines()

        final class Lines: Sendable {
            let all = Mutex<[String]>([])
        }

        /// Plain http when `cert` is nil.
        init(bind: String, port: Int, cert: String?, key: String?) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(SMTPTestServer.python, "SIKO_TEST_PYTHON: run `make test`"))
            process.arguments = [
                Repository.root.appendingPathComponent("Tests/python/tls_receiver.py").path,
                "--bind", bind, "--port", String(port),
            ] + (cert.map { ["--cert", $0, "--key", key ?? ""] } ?? [])
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            var first = Data()
            while !first.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                first += chunk
            }
            let ready = String(decoding: first, as: UTF8.self)
            self.port = try #require(ready.firstMatch(of: /ready (\d+)/).flatMap { Int($0.1) }, "receiver did not start: \(ready)")
            output.fileHandleForReading.readabilityHandler = { [lines] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                lines.all.withLock { $0 += text.split(separator: "\n").map(String.init) }
            }
        }

        var requests: [[String: Any]] {
            lines.all.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        /// Polls instead of `waitUntilExit`, which can hang when called from a concurrency thread.
        func stop() {
            (process.standardOutput as? Pipe)?.fileHandleForReading.readabilityHandler = nil
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            for _ in 0..<100 where process.isRunning { usleep(20_000) }
        }
    }

    /// A CA and a certificate for `name` signed by it, made by the openssl command.
    static func certificates(for name: String, in folder: TemporaryDirectory) throws -> (ca: String, cert: String, key: String) {
        let ca = folder.file("ca.pem"), caKey = folder.file("ca.key"), key = folder.file("server.key")
        let request = folder.file("server.csr"), cert = folder.file("server.pem")
        let extensions = try folder.write("san.ext", "subjectAltName=DNS:\(name)\n")
        for arguments in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", ca, "-days", "2", "-subj", "/CN=SiKo Test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=\(name)"],
            ["x509", "-req", "-in", request, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", extensions],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        }
        return (ca, cert, key)
    }

    func post(_ url: String, key: String, body: String) async throws -> (status: Int, body: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:])
    }

    /// Serves the binary in a mount namespace with its own /etc/hosts, where `name` points at the
    /// receiver (127.0.0.2, the only address allowed); publishes twice, rewriting the file in
    /// between so the name points at the insider (127.0.0.3). Answers what each of them received.
    /// `allow` is what SIKO_WEBHOOK_ALLOW names.
    func rebind(
        scheme: String, name: String, receiver: TLSReceiver, insider: TLSReceiver, ca: String?, allow: String = "127.0.0.2/32", in folder: TemporaryDirectory
    ) async throws {
        let lines = { (address: String) in name == "localhost" ? "\(address) localhost\n" : "127.0.0.1 localhost\n\(address) \(name)\n" }
        let hosts = try folder.write("hosts", lines("127.0.0.2"))
        let data = folder.file("data")
        let apiKey = try SikoBinary.run(
            "keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--scope", "subscriptions:manage",
            "--scope", "deliveries:read"
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var environment = ["SIKO_WEBHOOK_ALLOW": allow]
        if let ca { environment["SIKO_WEBHOOK_CA_FILE"] = ca }
        let server = try SikoServe(
            arguments: ["serve", "--data", data, "--port", "0"], environment: environment,
            wrapper: ["/usr/bin/unshare", "-m", "/bin/sh", "-c", #"mount --bind "$0" /etc/hosts && exec "$@""#, hosts]
        )
        do {
            // Hummingbird's own "listening on" line may come first: wait for siko's, with the URL.
            let started = try await server.waitFor("url=http://127.0.0.1:")
            let port = try #require(started.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
            let base = "http://127.0.0.1:\(port)/v1"
            let target = "\(scheme)://\(name):\(receiver.port)/hook"
            let created = try await post(base + "/subscriptions", key: apiKey, body: """
                {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(target)"}
                """)
            #expect(created.status == 201, "\(created.body)")
            for number in 1...2 {
                if number == 2 {
                    // The same file, rewritten in place: the gateway's bind mount sees the new answer.
                    try lines("127.0.0.3").write(toFile: hosts, atomically: false, encoding: .utf8)
                }
                let published = try await post(base + "/events", key: apiKey, body: """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Lage \(number)"}
                    """)
                #expect(published.status == 202)
                let deadline = ContinuousClock.now + .seconds(60)
                while receiver.requests.count + insider.requests.count < number, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try #require(receiver.requests.count + insider.requests.count == number, "delivery \(number) arrived nowhere:\n\(server.output)")
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test("a name that rebinds to an internal host after the check: the second delivery still goes to the checked address, SNI and certificate for the name")
    func rebinding() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let name = "rebind.test"
        let (ca, cert, key) = try Self.certificates(for: name, in: folder)
        let receiver = try TLSReceiver(bind: "127.0.0.2", port: 0, cert: cert, key: key)
        defer { receiver.stop() }
        let insider = try TLSReceiver(bind: "127.0.0.3", port: receiver.port, cert: cert, key: key)
        defer { insider.stop() }
        try await rebind(scheme: "https", name: name, receiver: receiver, insider: insider, ca: ca, in: folder)
        #expect(receiver.requests.count == 2, "both deliveries went to the address the guard checked")
        #expect(insider.requests.isEmpty, "nothing reached the host the name pointed to afterwards")
        for request in receiver.requests {
            #expect(request["sni"] as? String == name, "TLS still names the target")
            #expect(request["host"] as? String == "\(name):\(receiver.port)")
        }
    }

    // Plain http is allowed only to literal addresses and to localhost (TargetRules), so localhost
    // is the one name it can carry: here it points at 127.0.0.2, then at 127.0.0.3. 127.0.0.1 is
    // allowed too, since creating the subscription checks localhost as 127.0.0.1.
    @Test("plain http goes to the address the guard checked: localhost rebinding after the check reaches nothing new, and Host carries the name")
    func plainHTTPRebinding() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let name = "localhost"
        let receiver = try TLSReceiver(bind: "127.0.0.2", port: 0, cert: nil, key: nil)
        defer { receiver.stop() }
        let insider = try TLSReceiver(bind: "127.0.0.3", port: receiver.port, cert: nil, key: nil)
        defer { insider.stop() }
        try await rebind(scheme: "http", name: name, receiver: receiver, insider: insider, ca: nil, allow: "127.0.0.1/32,127.0.0.2/32", in: folder)
        #expect(receiver.requests.count == 2, "both deliveries went to the address the guard checked")
        #expect(insider.requests.isEmpty, "nothing reached the host the name pointed to afterwards")
        for request in receiver.requests {
            #expect(request["host"] as? String == "\(name):\(receiver.port)", "the name travels in Host, not in the connection")
        }
    }
}
