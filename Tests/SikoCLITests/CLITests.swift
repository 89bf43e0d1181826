import SikoTestSupport
import SikoTestGateway
import Foundation
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// The real `siko` executable, as operators run it.
@Suite("siko command line")
struct CLITests {
    func siko(_ arguments: String...) throws -> SikoBinary.Run { try SikoBinary.run(arguments) }

    /// With `environment` added to this process's own (SIKO_SECRET_KEY, say).
    func siko(environment: [String: String], _ arguments: [String]) throws -> SikoBinary.Run { try SikoBinary.run(arguments, environment: environment) }

    @Test("siko check accepts the shipped folders")
    func checkShipped() throws {
        let run = try siko("check")
        #expect(run.status == 0)
        #expect(run.stdout.contains("61 areas, 15 topics, 23 partners"))
        #expect(run.stdout.contains("channels webhook, email, sms"))
    }

    @Test("siko check lists every error as file:line: field: message and exits 1")
    func checkErrors() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("areas.yaml", "areas:\n  - id: ruhr\n    name: Ruhrgebiet\n    kind: region\n  - id: Essen\n    name: Essen\n    kind: stadt\n    parent: ruhr\n")
        _ = try folder.write("topics.yaml", "topics:\n  - id: razzia\n    name: Razzia\n")
        _ = try folder.write("partners.yaml", "partners:\n  - id: stadt-essen\n    name: Stadt Essen\n    jurisdiction: [essen]\n")
        let run = try siko("check", "--rules", folder.path)
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(folder.file("areas.yaml")):5: areas[1].id: 'Essen' is not a slug (a-z, 0-9, single hyphens)"))
        #expect(lines.contains { $0.hasPrefix("\(folder.file("areas.yaml")):7: areas[1].kind: must be one of") })
        #expect(lines.contains("\(folder.file("partners.yaml")):4: partners[0].jurisdiction[0]: unknown area 'essen'"))
    }

    @Test("siko keys create prints the key alone on stdout and stores only its hash")
    func keysCreate() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let run = try siko("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "events:publish", "--scope", "deliveries:read")
        #expect(run.status == 0)
        let key = run.stdout.trimmingCharacters(in: .newlines)
        #expect(run.stdout == key + "\n")
        #expect(key.hasPrefix("siko_") && !key.contains(" "))
        #expect(!run.stderr.contains(key), "the key is not echoed to the log")
        var stored = Data()
        for file in ["siko.sqlite", "siko.sqlite-wal"] {
            stored += (try? Data(contentsOf: URL(fileURLWithPath: folder.file(file)))) ?? Data()
        }
        #expect(!stored.isEmpty)
        #expect(stored.range(of: Data(key.utf8)) == nil, "only the hash is on disk")
        let unknown = try siko("keys", "create", "--data", folder.path, "--partner", "nobody", "--scope", "admin")
        #expect(unknown.status != 0 && unknown.stdout.isEmpty)
        let badScope = try siko("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "everything")
        #expect(badScope.status != 0)
    }

    @Test("siko keys list shows ids and facts but no key; siko keys revoke refuses it from then on")
    func keysListRevoke() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let created = try siko("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "events:publish", "--expires", "90d")
        let key = created.stdout.trimmingCharacters(in: .newlines)
        let id = String(key.split(separator: "_").prefix(2).joined(separator: "_"))
        let list = try siko("keys", "list", "--data", folder.path)
        #expect(list.status == 0)
        let row = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix(id) })
        #expect(row.contains("stadt-essen") && row.contains("events:publish"))
        #expect(!list.stdout.contains(key))
        let revoke = try siko("keys", "revoke", "--data", folder.path, id)
        #expect(revoke.status == 0 && revoke.stderr.contains("revoked \(id)"))
        let stored = try #require(try await SQLiteStore(path: folder.file("siko.sqlite")).keys(partner: "stadt-essen").first)
        #expect(stored.revokedAt != nil && stored.expiresAt != nil)
        #expect(try siko("keys", "revoke", "--data", folder.path, "siko_unknown000").status == 1)
        #expect(try siko("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "admin", "--expires", "bald").status != 0)
    }

    @Test("--database sqlite:PATH names the store; every command reads the same one; a URL of another kind is refused before anything opens")
    func databaseURL() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let database = "sqlite:" + folder.file("elsewhere/gateway.sqlite")
        let created = try siko("keys", "create", "--database", database, "--partner", "stadt-essen", "--scope", "events:publish")
        #expect(created.status == 0)
        #expect(FileManager.default.fileExists(atPath: folder.file("elsewhere/gateway.sqlite")))
        #expect(FileManager.default.fileExists(atPath: folder.file("elsewhere/gateway.sqlite.key")), "the sealing key sits beside the file")
        let listed = try siko("keys", "list", "--database", database)
        #expect(listed.stdout.contains("stadt-essen"))
        #expect(try siko("audit", "list", "--database", database).stdout.contains("key.create"))
        let refused = try siko("keys", "list", "--database", "mysql://db/siko")
        #expect(refused.status != 0 && refused.stderr.contains("use sqlite:PATH"))
    }

    @Test("siko keys create --require-signature prints key and signing secret; both actions are in siko audit list")
    func signatureAudit() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let created = try siko("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "events:publish", "--require-signature")
        #expect(created.status == 0)
        let lines = created.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[0].hasPrefix("siko_") && lines[1].hasPrefix("whsec_"))
        let id = String(lines[0].split(separator: "_").prefix(2).joined(separator: "_"))
        let stored = try #require(try await SQLiteStore(path: folder.file("siko.sqlite")).key(hash: KeyAuthority.hash(lines[0])))
        #expect(stored.signingSecret == lines[1])
        _ = try siko("keys", "revoke", "--data", folder.path, id)
        let audit = try siko("audit", "list", "--data", folder.path)
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("operator\tcli\tkey.create\t\(id)") && audit.stdout.contains("operator\tcli\tkey.revoke\t\(id)"))
        #expect(try siko("audit", "verify", "--data", folder.path).stdout.contains("intact: 2 entries"))
    }

    @Test("siko purge on real data: an old delivered event loses title, body and target, from the files too; one still being delivered and the audit stay; siko deliveries shows it as a table")
    func purgeAndDeliveries() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let channels = folder.file("Channels")
        try FileManager.default.copyItem(atPath: Repository.channels, toPath: channels)
        // One retry an hour away: the failing delivery stays under way through the purge.
        let webhook = try String(contentsOfFile: channels + "/webhook.yaml", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("retrySchedule:") ? #"retrySchedule: ["0s", "1h"]"# : String($0) }.joined(separator: "\n")
        try webhook.write(toFile: channels + "/webhook.yaml", atomically: true, encoding: .utf8)
        let data = folder.file("data")
        let key = try ServePromiseTests.key(data, scopes: ["events:publish", "subscriptions:manage", "deliveries:read"])
        let ok = Inbox(), down = Inbox(answers: [.serviceUnavailable])
        let (old, open) = try await Inbox.serve(ok) { okURL in try await Inbox.serve(down) { downURL in
            let (server, base) = try await ServePromiseTests.serve(["--data", data, "--channels", channels])
            do {
                for (name, topic, url) in [("Lage", "razzia", okURL), ("Offen", "geldwaesche", downURL)] {
                    let created = try await ServePromiseTests.request("POST", base + "/v1/subscriptions", key: key, """
                        {"name":"\(name)","areas":["essen"],"topics":["\(topic)"],"channel":"webhook","target":"\(url)"}
                        """)
                    #expect(created.status == 201)
                }
                let gone = try await ServePromiseTests.request("POST", base + "/v1/subscriptions", key: key, """
                    {"name":"Altes Abo","areas":["essen"],"topics":["drogen"],"channel":"webhook","target":"https://alt.essen.example/verlassen"}
                    """)
                _ = try await ServePromiseTests.request("DELETE", base + "/v1/subscriptions/\(try #require(gone.body["id"] as? String))", key: key)
                func publish(_ topic: String, _ title: String, _ body: String, until status: String) async throws -> (event: String, delivery: String) {
                    let published = try await ServePromiseTests.request("POST", base + "/v1/events", key: key, """
                        {"topic":"\(topic)","urgency":"high","areas":["essen"],"title":"\(title)","body":"\(body)"}
                        """)
                    let event = try #require(published.body["id"] as? String)
                    let deliveries = try await ServePromiseTests.deliveries(base, event: event, key: key)
                    #expect(deliveries.count == 1)
                    let delivery = try #require(deliveries.first?["id"] as? String)
                    _ = try await ServePromiseTests.delivery(base, delivery, key: key) { $0["status"] as? String == status }
                    return (event, delivery)
                }
                let old = try await publish("razzia", "Zeuge Max Mustermann", "Rückruf 0170 1234567", until: "delivered")
                let open = try await publish("geldwaesche", "Noch offen Erika Musterfrau", "wartet", until: "failed")
                try await server.stop()
                return (old, open)
            } catch {
                try await server.stop()
                throw error
            }
        } }

        // What the purge keeps apart is state, not age: both events are past --older-than.
        try await Task.sleep(for: .seconds(2))
        let purge = try siko("purge", "--data", data, "--older-than", "1s")
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("purged 1 events, 1 deliveries, 1 deleted subscriptions"), "\(purge.stdout)")
        var files = try Data(contentsOf: URL(fileURLWithPath: data + "/siko.sqlite"))
        files += (try? Data(contentsOf: URL(fileURLWithPath: data + "/siko.sqlite-wal"))) ?? Data()
        for gone in ["Zeuge Max Mustermann", "0170 1234567", "alt.essen.example", "Altes Abo"] {
            #expect(files.range(of: Data(gone.utf8)) == nil, "\(gone) is gone from the database files")
        }
        #expect(files.range(of: Data("Erika Musterfrau".utf8)) != nil, "the event still being delivered keeps its text")
        let audit = try siko("audit", "list", "--data", data)
        #expect(audit.stdout.contains("data.purge"))
        #expect(audit.stdout.split(separator: "\n").filter { $0.contains("event.publish") }.count == 2, "the audit keeps what happened")
        #expect(try siko("audit", "verify", "--data", data).status == 0)
        #expect(try siko("purge", "--data", data, "--older-than", "1s").stdout.contains("purged 0 events"), "a second run finds nothing")
        #expect(try siko("purge", "--data", data, "--older-than", "neunzig").status != 0)

        let table = try siko("deliveries", "--data", data)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ID", "EVENT", "PARTNER", "CHANNEL", "STATUS", "ATTEMPTS", "UPDATED", "TARGET", "LAST", "ERROR"])
        #expect(lines.count == 3, "a header and the two deliveries: \(table.stdout)")
        let purgedRow = try #require(lines.first { $0.hasPrefix(old.delivery) })
        #expect(purgedRow.contains(old.event) && purgedRow.contains("stadt-essen") && purgedRow.contains("webhook") && purgedRow.contains("delivered"))
        #expect(!purgedRow.contains("127.0.0.1"), "its target is gone: \(purgedRow)")
        let openRow = try #require(lines.first { $0.hasPrefix(open.delivery) })
        #expect(openRow.contains("failed") && openRow.contains("127.0.0.1") && openRow.contains("503"), "\(openRow)")
        let failed = try siko("deliveries", "--data", data, "--status", "failed").stdout.split(separator: "\n")
        #expect(failed.count == 2 && failed[1].hasPrefix(open.delivery))
        let ofOld = try siko("deliveries", "--data", data, "--event", old.event).stdout.split(separator: "\n")
        #expect(ofOld.count == 2 && ofOld[1].hasPrefix(old.delivery))
        let newest = try siko("deliveries", "--data", data, "--limit", "1").stdout.split(separator: "\n")
        #expect(newest.count == 2 && newest[1].hasPrefix(open.delivery), "newest first")
        let unknown = try siko("deliveries", "--data", data, "--status", "verloren")
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown status 'verloren'"))
    }
}
