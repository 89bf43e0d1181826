import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import SikoCore
import SikoTestGateway
import SikoTestSupport
import Testing

/// `siko store copy` with the real binary: an installation filled through its API on SQLite moves
/// to PostgreSQL, is served there with its old key and secrets, and comes back to a new SQLite
/// with every table as it was.
@Suite("siko store copy", .serialized)
struct StoreCopyTests {
    /// The columns that hold sealed secrets; their text differs under another key, their content must not.
    static let sealed: [String: String] = ["subscription": "secret", "api_key": "signing_secret", "user_account": "totp_secret", "secret": "value"]

    @Test("SQLite to PostgreSQL and back: history, keys and secrets move; a served source and a filled target are refused")
    func roundTrip() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data"), copy = folder.file("copy")
        // The installation seals with the key file beside its database, as one made by `siko serve` does.
        let embedded = ["SIKO_SECRET_KEY": "", "SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"]
        let key = try cli(["keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--scope",
                           "subscriptions:manage", "--scope", "deliveries:read"], embedded).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try cli(["keys", "create", "--data", data, "--partner", "stadt-essen", "--scope", "events:publish", "--require-signature"], embedded)
        _ = try cli(["users", "create", "--data", data, "--partner", "stadt-essen", "--login", "anna", "--name", "Anna Schmidt", "--role", "admin",
                     "--password-stdin"], embedded, input: "richtig-langes-passwort")
        _ = try cli(["users", "totp", "--data", data, "anna"], embedded)
        let shared = try await SharedGateways.make()
        let inbox = Inbox()
        try await Inbox.serve(inbox) { hook in
            let server = try SikoServe(arguments: ["serve", "--data", data, "--port", "0"], environment: embedded)
            let base = "http://127.0.0.1:\(try await server.port())"
            var secret = ""
            var events: [String] = []
            do {
                for name in ["Lagedienst", "Leitstelle"] {
                    let created = try await LiveHTTP.post(base + "/v1/subscriptions", key: key, """
                        {"name":"\(name)","areas":["essen"],"channel":"webhook","target":"\(hook)"}
                        """)
                    #expect(created.status == 201)
                    secret = try #require(created.body["secret"] as? String)
                }
                for number in 1...3 {
                    let published = try await LiveHTTP.post(base + "/v1/events", key: key, """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle \(number)"}
                        """)
                    events.append(try #require(published.body["id"] as? String))
                }
                for event in events { try await waitUntilDelivered(base, key, event, count: 2) }
                let served = try cli(["store", "copy", "--from", "sqlite:\(data)", "--to", shared.url], shared.environment, expecting: 1)
                #expect(served.stderr.contains("error: a gateway is serving the source sqlite:\(data)/siko.sqlite"), "\(served.stderr)")
                #expect(served.stderr.contains("stop it before copying"))
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()

            let moved = try cli(["store", "copy", "--from", "sqlite:\(data)", "--to", shared.url], shared.environment)
            #expect(moved.stdout.contains("event\t3\n") && moved.stdout.contains("delivery\t6\n") && moved.stdout.contains("subscription\t2\n"), "\(moved.stdout)")
            #expect(moved.stdout.contains("secrets re-sealed with the target's key"), "the key file's key differs from SIKO_SECRET_KEY")
            let again = try cli(["store", "copy", "--from", "sqlite:\(data)", "--to", shared.url], shared.environment, expecting: 1)
            #expect(again.stderr.contains("is not empty: it holds 1 user, 2 API keys, 2 subscriptions, 3 events, 6 deliveries, 6 attempts"), "\(again.stderr)")
            #expect(again.stderr.split(separator: "\n").count == 1, "one line: \(again.stderr)")
            let verified = try cli(["audit", "verify", "--database", shared.url], shared.environment)
            #expect(verified.stdout.contains("audit trail intact"))

            let back = try cli(["store", "copy", "--from", shared.url, "--to", "sqlite:\(copy)"], shared.environment)
            #expect(!back.stdout.contains("re-sealed"), "the new SQLite seals with SIKO_SECRET_KEY, as the database does")
            try compare(try dump(data + "/siko.sqlite"), key: try String(contentsOfFile: data + "/siko.sqlite.key", encoding: .utf8),
                        with: try dump(copy + "/siko.sqlite"), key: shared.key)

            let gateways = try await shared.start(1)
            do {
                let base = gateways[0].base
                let listed = try await get(base + "/v1/subscriptions", key: key)
                #expect(listed.status == 200, "the key made on SQLite works on PostgreSQL")
                #expect((listed.body["subscriptions"] as? [[String: Any]])?.count == 2)
                for event in events {
                    let shown = try await get(base + "/v1/events/\(event)", key: key)
                    #expect((shown.body["deliveries"] as? [String: Any])?["delivered"] as? Int == 2, "\(shown.body)")
                }
                let before = await inbox.received.count
                let published = try await LiveHTTP.post(base + "/v1/events", key: key, """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Nach dem Umzug"}
                    """)
                try await waitUntilDelivered(base, key, try #require(published.body["id"] as? String), count: 2)
                let received = await inbox.received
                let signed = received.dropFirst(before).filter { verifies($0, secret: secret) }
                #expect(signed.count == 1, "the re-sealed webhook secret still signs the subscription's webhooks")
            } catch {
                for (server, _) in gateways { try await server.stop() }
                throw error
            }
            for (server, _) in gateways { try await server.stop() }
        }
    }

    @Test("a store that is not one, or the same store twice, is refused in one line")
    func badArguments() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let missing = folder.file("nowhere")
        let unknown = try cli(["store", "copy", "--from", "mysql://root:geheim@db/siko", "--to", "sqlite:\(missing)"], [:], expecting: 1)
        #expect(unknown.stderr == "error: --from: 'mysql://root:***@db/siko' is not a store this gateway knows; use sqlite:DIR/siko.sqlite or postgres://USER@HOST:PORT/DB\n")
        let same = try cli(["store", "copy", "--from", "sqlite:\(missing)/siko.sqlite", "--to", "sqlite:\(missing)"], [:], expecting: 1)
        #expect(same.stderr == "error: --from and --to name the same store\n")
    }

    /// `siko ARGUMENTS` to its end, its exit status checked.
    func cli(_ arguments: [String], _ environment: [String: String], input: String? = nil, expecting status: Int32 = 0) throws -> SikoBinary.Run {
        let run = try SikoBinary.run(arguments, environment: environment, input: input)
        try #require(run.status == status, "siko \(arguments.joined(separator: " ")) exited \(run.status): \(run.stderr)")
        return run
    }

    func get(_ url: String, key: String) async throws -> (status: UInt, body: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:])
    }

    func waitUntilDelivered(_ base: String, _ key: String, _ event: String, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let shown = try await get(base + "/v1/events/\(event)", key: key)
            if (shown.body["deliveries"] as? [String: Any])?["delivered"] as? Int == count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the deliveries of \(event) were not all delivered within 20 s")
    }

    /// Standard Webhooks, checked here by hand: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`.
    func verifies(_ request: Inbox.Received, secret: String) -> Bool {
        guard let id = request.headers["webhook-id"], let timestamp = request.headers["webhook-timestamp"],
              let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).".utf8) + request.body, using: SymmetricKey(data: key))
        let expected = "v1," + Data(mac).base64EncodedString()
        return request.headers["webhook-signature"]?.split(separator: " ").contains { $0 == expected } == true
    }

    /// Every table of an SQLite file, read by Python's sqlite3 (not the gateway's code): columns
    /// and rows ordered by every column, blobs in hex.
    func dump(_ path: String) throws -> [String: (columns: [String], rows: [[String]])] {
        let python = try #require(ProcessInfo.processInfo.environment["SIKO_TEST_PYTHON"], "SIKO_TEST_PYTHON is not set: run `make test`")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import json, sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            out = {}
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
                cursor = db.execute(f'SELECT * FROM "{name}"')
                columns = [d[0] for d in cursor.description]
                order = ", ".join(str(i + 1) for i in range(len(columns)))
                rows = db.execute(f'SELECT * FROM "{name}" ORDER BY {order}').fetchall()
                out[name] = {"columns": columns, "rows": [["x:" + v.hex() if isinstance(v, bytes) else json.dumps(v) for v in row] for row in rows]}
            print(json.dumps(out))
            """, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let tables = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: [String: Any]])
        return tables.mapValues { ($0["columns"] as? [String] ?? [], $0["rows"] as? [[String]] ?? []) }
    }

    /// Equal table by table, cell by cell; sealed cells equal once each is opened with its own key.
    func compare(_ original: [String: (columns: [String], rows: [[String]])], key: String,
                 with copy: [String: (columns: [String], rows: [[String]])], key copyKey: String) throws {
        func sealer(_ key: String) throws -> SecretSealer {
            SecretSealer(key: SymmetricKey(data: try #require(Data(base64Encoded: key.trimmingCharacters(in: .whitespacesAndNewlines)))))
        }
        let (opener, copyOpener) = (try sealer(key), try sealer(copyKey))
        func opened(_ cell: String, _ sealer: SecretSealer) -> String {
            guard let text = try? JSONDecoder().decode(String.self, from: Data(cell.utf8)) else { return cell }
            return (try? sealer.unseal(text)) ?? cell
        }
        #expect(Set(original.keys) == Set(copy.keys))
        #expect(original["delivery"]?.rows.count == 6 && original["attempt"]?.rows.count == 6 && original["audit"]?.rows.isEmpty == false)
        for (table, (columns, rows)) in original {
            let copied = try #require(copy[table])
            #expect(copied.columns == columns, "\(table)'s columns")
            #expect(copied.rows.count == rows.count, "\(table)'s rows")
            let sealedColumn = Self.sealed[table].flatMap(columns.firstIndex(of:))
            for (row, copiedRow) in zip(rows, copied.rows) {
                for (index, (cell, copiedCell)) in zip(row, copiedRow).enumerated() {
                    if index == sealedColumn {
                        #expect(opened(cell, opener) == opened(copiedCell, copyOpener), "\(table).\(columns[index]) opens to the same secret")
                    } else {
                        #expect(cell == copiedCell, "\(table).\(columns[index])")
                    }
                }
            }
        }
    }
}
