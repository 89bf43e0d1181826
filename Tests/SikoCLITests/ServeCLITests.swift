import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import NIOCore
import SikoModel
import SikoSQLite
import Synchronization
import Testing

/// `siko explain` and `siko serve` with SIGHUP, run as the real executable on a temporary data folder.
@Suite("siko explain and reload on SIGHUP", .serialized)
struct ServeCLITests {
    func topics(port: Int, key: String) async throws -> [String] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/topics")
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return ((object?["topics"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("siko explain prints what the event would do, subscription by subscription, and stores nothing")
    func explain() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"))
        let now = Date()
        try await store.insertSubscription(Subscription(
            id: "sub_kreis", partner: "kreis-recklinghausen", name: "Leitstelle", areas: ["kreis-recklinghausen"], topics: [],
            minUrgency: .low, channel: .webhook, target: "https://leitstelle.example/hook", language: .de, createdAt: now, updatedAt: now
        ), secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        try await store.insertSubscription(Subscription(
            id: "sub_dortmund", partner: "stadt-dortmund", name: "Lage", areas: ["dortmund"], topics: [],
            minUrgency: .low, channel: .webhook, target: "https://lage.dortmund.example/hook", language: .de, createdAt: now, updatedAt: now
        ), secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let event = try folder.write("event.json", """
            {"topic":"razzia","urgency":"high","areas":["marl"],"title":"Kontrolle Marl-Mitte"}
            """)
        let run = try SikoBinary.run("explain", "--data", folder.path, event)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("considered 1, matched 1: send 1, defer 0, suppress 0"))
        #expect(run.stdout.contains("sub_kreis  kreis-recklinghausen  webhook  https://leitstelle.example/hook  area kreis-recklinghausen→marl (ancestor)  SEND"))
        #expect(!run.stdout.contains("sub_dortmund"))
        let json = try SikoBinary.run("explain", "--data", folder.path, "--json", event)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["deliveries"] as? Int == 1)
        #expect(try await store.deliveries(matching: DeliveryQuery()).isEmpty)

        let outside = try SikoBinary.run("explain", "--data", folder.path, "--partner", "stadt-dortmund", event)
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("stadt-dortmund may not publish into marl"))
    }

    func status(port: Int, key: String) async throws -> UInt {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/topics")
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code
    }

    @Test("siko keys revoke in another process: the serving gateway, which knows the key from memory, refuses it within a second")
    func revokeWhileServing() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let created = try SikoBinary.run("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "events:publish")
        let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let id = key.split(separator: "_").prefix(2).joined(separator: "_")
        let server = try SikoServe.on(folder.path)
        do {
            let port = try await server.port()
            #expect(try await status(port: port, key: key) == 200)
            #expect(try await status(port: port, key: key) == 200, "the second request is answered from the cache")
            #expect(try SikoBinary.run("keys", "revoke", "--data", folder.path, id).status == 0)
            try await Task.sleep(for: .seconds(1))
            #expect(try await status(port: port, key: key) == 401)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test("SIGHUP reloads Rules/: a new topic is served; a broken file is logged with its line and the old rules stay")
    func sighup() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let rules = folder.file("Rules")
        try FileManager.default.copyItem(atPath: Repository.rules, toPath: rules)
        let data = folder.file("data")
        let key = try SikoBinary.run("keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try SikoServe(arguments: ["serve", "--data", data, "--rules", rules, "--port", "0"])
        do {
            let started = try await server.waitFor("listening")
            let port = try #require(started.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
            #expect(try await topics(port: port, key: key).count == 15)

            try (try String(contentsOfFile: rules + "/topics.yaml", encoding: .utf8) + "  - id: clan-hochzeit\n    name: Clan-Hochzeit\n")
                .write(toFile: rules + "/topics.yaml", atomically: true, encoding: .utf8)
            kill(server.process.processIdentifier, SIGHUP)
            _ = try await server.waitFor("reloaded Rules/ and Channels/")
            #expect(try await topics(port: port, key: key).contains("clan-hochzeit"))

            try "quietHours:\n  - name: nacht\n    from: \"22:00\"\n    until: \"6 Uhr\"\n    below: high\n    channels: {sms: defer}\n"
                .write(toFile: rules + "/policies.yaml", atomically: true, encoding: .utf8)
            kill(server.process.processIdentifier, SIGHUP)
            let log = try await server.waitFor("reload rejected")
            _ = try await server.waitFor("policies.yaml:4: quietHours[0].until:")
            #expect(!log.contains(key), "no key in the log")
            #expect(try await topics(port: port, key: key).contains("clan-hochzeit"), "the rules in force stay")
            #expect(server.process.isRunning)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
        #expect(server.process.terminationStatus == 0)
    }

    @Test("SIKO_LOG_FORMAT=json writes one JSON object per line, and no key or message body reaches the log")
    func jsonLogs() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let key = try SikoBinary.run("keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try SikoServe(arguments: ["serve", "--data", data, "--port", "0"], environment: ["SIKO_LOG_FORMAT": "json", "SIKO_LOG_LEVEL": "debug"])
        do {
            let started = try await server.waitFor("listening")
            let port = try #require(started.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer \(key)")
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Geheimer Titel","body":"Vertraulicher Text"}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 202)
            _ = try await topics(port: port, key: "siko_wrongkey00_" + String(repeating: "x", count: 43))
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
        let lines = server.output.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 2)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["message"] is String && object?["level"] is String && (object?["time"] as? String)?.hasSuffix("Z") == true, "\(line)")
        }
        #expect(!server.output.contains(key) && !server.output.contains(String(key.split(separator: "_", maxSplits: 2).last ?? "")))
        #expect(!server.output.contains("Geheimer Titel") && !server.output.contains("Vertraulicher Text"))
    }
}
