import AsyncHTTPClient
import Foundation
import NIOCore
import SikoTestGateway
import SikoTestSupport
import Testing

/// What the README promises of `siko serve` itself, held to the real binary on a temporary data
/// folder: one server per folder, where the sealing key comes from, what a restart remembers,
/// what SIGHUP reaches, and the per-key rate-limit flags.
@Suite("siko serve: what the README promises of the running binary", .serialized)
struct ServePromiseTests {
    typealias Server = SikoServe

    struct Answer {
        var status: UInt
        var headers: [String: String]
        var body: [String: Any]
    }

    static func request(_ method: String, _ url: String, key: String? = nil, _ body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 22)
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:]
        return Answer(status: response.status.code, headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { $1 }, body: object)
    }

    static func key(_ data: String, _ partner: String = "stadt-essen", environment: [String: String] = [:], scopes: [String]) throws -> String {
        let run = try SikoBinary.run(["keys", "create", "--data", data, "--partner", partner] + scopes.flatMap { ["--scope", $0] }, environment: environment)
        try #require(run.status == 0, "siko keys create: \(run.stderr)")
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func serve(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Server, String) {
        let server = try Server(arguments: ["serve", "--port", "0"] + arguments, environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"].merging(environment) { $1 })
        let port = try await server.port()
        return (server, "http://127.0.0.1:\(port)")
    }

    /// Waits (bounded) until `siko serve` has exited by itself, and until its log shows `text`
    /// (the last of its stderr may reach the pipe's reader just after the exit).
    static func exited(_ server: Server, saying text: String, within timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if server.process.isRunning {
            Issue.record("siko serve was expected to stop by itself:\n\(server.output)")
            try await server.stop()
            return -1
        }
        let logged = ContinuousClock.now + .seconds(10)
        while !server.output.contains(text), ContinuousClock.now < logged { try await Task.sleep(for: .milliseconds(20)) }
        return server.process.terminationStatus
    }

    /// Polls a delivery through the API until `done` holds (bounded).
    static func delivery(_ base: String, _ id: String, key: String, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(60)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await request("GET", base + "/v1/deliveries/\(id)", key: key).body
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("delivery \(id) never reached the expected state: \(last)")
        return last
    }

    static func deliveries(_ base: String, event: String, key: String) async throws -> [[String: Any]] {
        try #require(try await request("GET", base + "/v1/events/\(event)/deliveries", key: key).body["deliveries"] as? [[String: Any]])
    }

    @Test("a second siko serve on the same --data refuses to start, naming the lock; the first keeps serving; once it stops, the folder is free")
    func onePerDataFolder() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let (first, base) = try await Self.serve(["--data", data])
        do {
            let second = try Server(arguments: ["serve", "--data", data, "--port", "0"])
            let status = try await Self.exited(second, saying: "another siko serve")
            #expect(status == 1)
            #expect(second.output.contains("another siko serve is using \(data) (lock held on siko.lock)"), "\(second.output)")
            #expect(!second.output.contains("listening"))
            #expect(first.process.isRunning)
            #expect(try await Self.request("GET", base + "/health").status == 200, "the first server is untouched")
        } catch {
            try await first.stop()
            throw error
        }
        try await first.stop()
        let (third, _) = try await Self.serve(["--data", data])
        #expect(third.output.contains("listening"))
        try await third.stop()
        #expect(third.process.terminationStatus == 0)
    }

    @Test("the sealing key: made as DIR/siko.sqlite.key with mode 0600, or taken from SIKO_SECRET_KEY without a file; a wrong or malformed key stops the start with a clear error")
    func sealingKey() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let wrongKeyError = "the secret key does not open this database's secrets"

        // From the key file, made on first use.
        let fileData = folder.file("file")
        _ = try Self.key(fileData, scopes: ["events:publish"])
        let keyFile = fileData + "/siko.sqlite.key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "only the owner may read the key")
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyFile)).count >= 32)
        // Another key in its place: the database's secrets no longer open, and serve says so.
        try FileManager.default.removeItem(atPath: keyFile)
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let replaced = try Server(arguments: ["serve", "--data", fileData, "--port", "0"])
        #expect(try await Self.exited(replaced, saying: wrongKeyError) == 1)
        #expect(replaced.output.contains(wrongKeyError), "\(replaced.output)")
        #expect(!replaced.output.contains("listening"))

        // From SIKO_SECRET_KEY: no key file is written, and the same variable opens it again.
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let envData = folder.file("env")
        _ = try Self.key(envData, environment: ["SIKO_SECRET_KEY": secret], scopes: ["events:publish"])
        #expect(!FileManager.default.fileExists(atPath: envData + "/siko.sqlite.key"), "the key from the environment is not written down")
        let (server, base) = try await Self.serve(["--data", envData], environment: ["SIKO_SECRET_KEY": secret])
        #expect(try await Self.request("GET", base + "/health").status == 200)
        try await server.stop()
        #expect(server.process.terminationStatus == 0)

        // The same database with another key, or none (a fresh key file would be made): refused.
        let other = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let wrong = try Server(arguments: ["serve", "--data", envData, "--port", "0"], environment: ["SIKO_SECRET_KEY": other])
        #expect(try await Self.exited(wrong, saying: wrongKeyError) == 1)
        #expect(wrong.output.contains(wrongKeyError), "\(wrong.output)")
        let without = try SikoBinary.run("keys", "list", "--data", envData)
        #expect(without.status == 1 && without.stderr.contains(wrongKeyError), "\(without.stderr)")
        let malformed = try SikoBinary.run(["keys", "list", "--data", envData], environment: ["SIKO_SECRET_KEY": "zu-kurz"])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("SIKO_SECRET_KEY must be 32 random bytes in base64"), "\(malformed.stderr)")
        #expect(try SikoBinary.run(["keys", "list", "--data", envData], environment: ["SIKO_SECRET_KEY": secret]).status == 0, "the right key still opens it")
    }

    @Test("what the policies remember is read back at start: after a restart a duplicate is still suppressed and the flood count goes on")
    func policyMemoryAcrossRestart() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let rules = folder.file("Rules")
        try FileManager.default.copyItem(atPath: Repository.rules, toPath: rules)
        // Two webhook deliveries per target and hour, so the third shows whether the count survived.
        let policies = try String(contentsOfFile: rules + "/policies.yaml", encoding: .utf8)
            .replacingOccurrences(of: "floodLimits:\n", with: "floodLimits:\n  - channel: webhook\n    max: 2\n    per: 1h\n")
        try policies.write(toFile: rules + "/policies.yaml", atomically: true, encoding: .utf8)
        let data = folder.file("data")
        let key = try Self.key(data, scopes: ["events:publish", "subscriptions:manage", "deliveries:read"])
        let inbox = Inbox()
        try await Inbox.serve(inbox) { url in
            func publish(_ base: String, _ title: String) async throws -> [String: Any] {
                let published = try await Self.request("POST", base + "/v1/events", key: key, """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"\(title)"}
                    """)
                #expect(published.status == 202, "\(published.body)")
                let event = try #require(published.body["id"] as? String)
                let id = try #require(try await Self.deliveries(base, event: event, key: key).first?["id"] as? String)
                return try await Self.delivery(base, id, key: key) { ["delivered", "suppressed", "dead"].contains($0["status"] as? String) }
            }
            let (first, base) = try await Self.serve(["--data", data, "--rules", rules])
            do {
                let created = try await Self.request("POST", base + "/v1/subscriptions", key: key, """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                    """)
                #expect(created.status == 201)
                #expect(try await publish(base, "Kontrolle Altendorfer Straße")["status"] as? String == "delivered")
                #expect(try await publish(base, "Kontrolle Viehofer Platz")["status"] as? String == "delivered")
            } catch {
                try await first.stop()
                throw error
            }
            try await first.stop()

            let (second, restarted) = try await Self.serve(["--data", data, "--rules", rules])
            do {
                let again = try await publish(restarted, "Kontrolle Altendorfer Straße")
                #expect(again["status"] as? String == "suppressed" && again["rule"] as? String == "duplicate", "\(again)")
                let third = try await publish(restarted, "Kontrolle Rüttenscheider Stern")
                #expect(third["status"] as? String == "suppressed" && third["rule"] as? String == "flood-limit", "\(third)")
                #expect(await inbox.received.count == 2, "nothing more reached the receiver after the restart")
            } catch {
                try await second.stop()
                throw error
            }
            try await second.stop()
        }
    }

    @Test("SIGHUP reaches the dispatcher's channel settings: a retry schedule changed in Channels/webhook.yaml governs the next delivery")
    func sighupChannelSettings() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let channels = folder.file("Channels")
        try FileManager.default.copyItem(atPath: Repository.channels, toPath: channels)
        let webhook = channels + "/webhook.yaml"
        @Sendable func schedule(_ entries: String) throws {
            let text = try String(contentsOfFile: webhook, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("retrySchedule:") ? "retrySchedule: \(entries)" : String($0) }
            try lines.joined(separator: "\n").write(toFile: webhook, atomically: true, encoding: .utf8)
        }
        try schedule(#"["0s"]"#)
        let data = folder.file("data")
        let key = try Self.key(data, scopes: ["events:publish", "subscriptions:manage", "deliveries:read"])
        let down = Inbox(answers: [.internalServerError])
        try await Inbox.serve(down) { url in
            let (server, base) = try await Self.serve(["--data", data, "--channels", channels])
            do {
                let created = try await Self.request("POST", base + "/v1/subscriptions", key: key, """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                    """)
                #expect(created.status == 201)
                func deadDelivery(_ title: String) async throws -> [String: Any] {
                    let published = try await Self.request("POST", base + "/v1/events", key: key, """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"\(title)"}
                        """)
                    let event = try #require(published.body["id"] as? String)
                    let id = try #require(try await Self.deliveries(base, event: event, key: key).first?["id"] as? String)
                    return try await Self.delivery(base, id, key: key) { $0["status"] as? String == "dead" }
                }
                #expect(try await deadDelivery("Lage 1")["attempts"] as? Int == 1, "one entry in the schedule: one try")

                try schedule(#"["0s", "0s", "0s"]"#)
                kill(server.process.processIdentifier, SIGHUP)
                _ = try await server.waitFor("reloaded Rules/ and Channels/")
                #expect(try await deadDelivery("Lage 2")["attempts"] as? Int == 3, "the reloaded schedule: three tries")
                #expect(await down.received.count == 4)
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()
        }
    }

    @Test("--rate-limit and --rate-burst: past its burst a key gets 429 with Retry-After, another key does not; --rate-limit 0 turns the limit off")
    func rateLimitFlags() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let busy = try Self.key(data, scopes: ["events:publish"])
        let calm = try Self.key(data, "stadt-bochum", scopes: ["events:publish"])
        // One request per 100 s: however slow the machine, no token comes back during the test.
        let (limited, base) = try await Self.serve(["--data", data, "--rate-limit", "0.01", "--rate-burst", "3"])
        do {
            for _ in 0..<3 { #expect(try await Self.request("GET", base + "/v1/topics", key: busy).status == 200) }
            let refused = try await Self.request("GET", base + "/v1/topics", key: busy)
            #expect(refused.status == 429)
            #expect(refused.body["type"] as? String == "urn:siko:problem:rate-limited")
            #expect(refused.headers["retry-after"].flatMap(Int.init).map { (90...100).contains($0) } == true, "\(refused.headers)")
            #expect(try await Self.request("GET", base + "/v1/topics", key: calm).status == 200, "the limit is per key")
        } catch {
            try await limited.stop()
            throw error
        }
        try await limited.stop()

        let (open, again) = try await Self.serve(["--data", data, "--rate-limit", "0", "--rate-burst", "1"])
        do {
            for _ in 0..<10 { #expect(try await Self.request("GET", again + "/v1/topics", key: busy).status == 200) }
        } catch {
            try await open.stop()
            throw error
        }
        try await open.stop()
        // A Server, not a plain run: should the flag be accepted, the test stops it instead of hanging.
        let invalid = try Server(arguments: ["serve", "--data", data, "--port", "0", "--rate-burst", "0"])
        let status = try await Self.exited(invalid, saying: "--rate-burst")
        #expect(status != 0 && invalid.output.contains("--rate-burst"), "\(invalid.output)")
    }
}
