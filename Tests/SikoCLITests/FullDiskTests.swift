import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The real binary with its data folder on a small tmpfs of its own, filled to the last byte.
@Suite("A full disk: 503 with Retry-After, /ready says so, and the gateway recovers by itself", .serialized)
struct FullDiskTests {
    /// A tmpfs mounted for one test (we run as root), unmounted again whatever happens.
    struct SmallDisk {
        let path: String
        var filler: String { path + "/filler" }

        init(megabytes: Int) throws {
            path = NSTemporaryDirectory() + "siko-disk-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            guard try Self.run("/bin/mount", "-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path) == 0 else {
                try? FileManager.default.removeItem(atPath: path)
                throw DiskError.mountFailed
            }
        }

        /// Writes zeros until the disk has no byte left (dd stops at ENOSPC).
        func fill() throws {
            _ = try Self.run("/bin/dd", "if=/dev/zero", "of=\(filler)", "bs=64k")
        }

        func free() throws { try FileManager.default.removeItem(atPath: filler) }

        func unmount() {
            if (try? Self.run("/bin/umount", path)) != 0 { _ = try? Self.run("/bin/umount", "-l", path) }
            try? FileManager.default.removeItem(atPath: path)
        }

        @discardableResult
        static func run(_ command: String, _ arguments: String...) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        enum DiskError: Error { case mountFailed }
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: [String: Any]
    }

    /// A GET, or a POST when there is a body.
    func request(_ port: Int, _ path: String, key: String? = nil, body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data((try await response.body.collect(upTo: 1 << 20)).readableBytesView)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), headers: headers, body: object)
    }

    @Test("events and /ready answer 503 problem+json with Retry-After while the disk is full; with space back, both work again without a restart")
    func fullDisk() async throws {
        let disk = try SmallDisk(megabytes: 16)
        defer { disk.unmount() }
        let data = disk.path + "/data"
        let key = try SikoBinary.run("keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--scope", "subscriptions:manage")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try SikoServe(arguments: ["serve", "--data", data, "--port", "0"], environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"])
        let inbox = Inbox()
        do {
            let started = try await server.waitFor("listening")
            let port = try #require(started.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
            try await Inbox.serve(inbox) { url in
                let subscribed = try await request(port, "/v1/subscriptions", key: key, body: """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                    """)
                #expect(subscribed.status == 201)
                func publish(_ title: String) async throws -> Answer {
                    try await request(port, "/v1/events", key: key, body: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"\(title)","body":"\(String(repeating: "Lagebild ", count: 200))"}
                        """)
                }
                func received() async throws -> [String] {
                    try await inbox.received.compactMap { request in
                        let payload = try JSONSerialization.jsonObject(with: request.body) as? [String: Any]
                        return (payload?["event"] as? [String: Any])?["title"] as? String
                    }
                }
                /// Waits (bounded) until the receiver has the event titled `title`.
                func waitForReceived(_ title: String) async throws -> [String] {
                    let deadline = ContinuousClock.now + .seconds(30)
                    while try await !received().contains(title), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                    return try await received()
                }
                #expect(try await publish("vorher").status == 202)
                #expect(try await request(port, "/ready").status == 200)
                #expect(try await waitForReceived("vorher").contains("vorher"))

                try disk.fill()
                var statuses: [Int] = []
                var refused: Answer?
                for number in 0..<20 {
                    let answer = try await publish("voll \(number)")
                    statuses.append(answer.status)
                    if answer.status == 503 { refused = answer }
                }
                #expect(Set(statuses).isSubset(of: [202, 503]) && statuses.last == 503, "\(statuses)")
                let problem = try #require(refused)
                #expect(problem.headers["content-type"] == "application/problem+json")
                #expect(problem.headers["retry-after"] == "5")
                #expect(problem.body["type"] as? String == "urn:siko:problem:store-unavailable")
                #expect((problem.body["detail"] as? String)?.contains("the disk is full") == true, "\(problem.body)")
                let notReady = try await request(port, "/ready")
                #expect(notReady.status == 503 && notReady.headers["retry-after"] == "5")
                #expect(notReady.headers["content-type"] == "application/problem+json")
                #expect((notReady.body["detail"] as? String)?.contains("the disk is full") == true, "\(notReady.body)")
                #expect(try await request(port, "/health").status == 200)

                try disk.free()
                #expect(try await publish("nachher").status == 202)
                #expect(try await request(port, "/ready").status == 200)
                let titles = try await waitForReceived("nachher")
                #expect(titles.contains("nachher"), "the dispatcher sends again by itself: \(titles)")
                #expect(server.process.isRunning)
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
        #expect(server.process.terminationStatus == 0)
        #expect(!server.output.contains("request failed"), "no 500 on the way")
        #expect(server.output.contains("the store refused a write"))
    }
}
