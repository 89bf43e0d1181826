import SikoTestSupport
import SikoTestGateway
import Crypto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoChannels
import SikoConfig
import SikoModel
@testable import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

/// DSGVO: who did what stays on record and tamper-evident; personal data goes when its time is up;
/// no key or secret lies in the database in the clear.
@Suite("Accountability: audit trail, retention, secrets at rest")
struct AccountabilityTests {
    @Test("every change is audited with partner and key prefix, retries of one and of many included, in a chain GET /v1/audit shows to admins only")
    func auditTrail() async throws {
        // Always 500 with one try: the delivery is dead at once, so both kinds of retry have something to put back.
        let failing = Inbox(answers: [.internalServerError])
        try await TestGateway.withGateway(retrySchedule: RetrySchedule(delays: [.zero])) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in try await Inbox.serve(failing) { url in
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                let adminID = String(admin.prefix(15))
                let created = try await client.json(.post, "/v1/keys", key: admin, body: #"{"partner":"stadt-essen","scopes":["events:publish","subscriptions:manage","deliveries:read"]}"#)
                let essen = try #require(created.body["key"] as? String)
                let essenID = try #require(created.body["id"] as? String)
                let subscription = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                    """)
                let subscriptionID = try #require(subscription.body["id"] as? String)
                let published = try await client.json(.post, "/v1/events", key: essen, body: """
                    {"externalId":"e-1","topic":"razzia","urgency":"high","areas":["essen"],"title":"Zeuge Max Mustermann"}
                    """)
                let eventID = try #require(published.body["id"] as? String)
                // An idempotent replay changes nothing and so is not audited again.
                _ = try await client.json(.post, "/v1/events", key: essen, body: """
                    {"externalId":"e-1","topic":"razzia","urgency":"high","areas":["essen"],"title":"Zeuge Max Mustermann"}
                    """)
                let deliveries = try #require(try await client.json(.get, "/v1/events/\(eventID)/deliveries", key: essen).body["deliveries"] as? [[String: Any]])
                let deliveryID = try #require(deliveries.first?["id"] as? String)
                #expect(try await fixture.waitForFinal(deliveryID)?.status == .dead)
                let one = try await client.json(.post, "/v1/deliveries/\(deliveryID)/retry", key: essen)
                #expect(one.status == .ok)
                #expect(try await fixture.waitForFinal(deliveryID)?.attempts == 2)
                let many = try await client.json(.post, "/v1/deliveries/retry", key: essen, body: #"{"event":"\#(eventID)"}"#)
                #expect(many.body["requeued"] as? Int == 1)
                #expect(try await fixture.waitForFinal(deliveryID)?.attempts == 3)
                // A bulk retry that finds nothing changes nothing.
                #expect(try await client.json(.post, "/v1/deliveries/retry", key: essen, body: #"{"status":"failed"}"#).body["requeued"] as? Int == 0)
                _ = try await client.json(.patch, "/v1/subscriptions/\(subscriptionID)", key: essen, body: #"{"enabled":false}"#)
                _ = try await client.json(.delete, "/v1/subscriptions/\(subscriptionID)", key: essen)
                _ = try await client.json(.delete, "/v1/keys/\(essenID)", key: admin)

                #expect(try await client.json(.get, "/v1/audit", key: essen).status == .unauthorized, "the revoked key is refused")
                let reader = try await fixture.key("stadt-essen", .deliveriesRead, .eventsPublish, .subscriptionsManage)
                #expect(try await client.json(.get, "/v1/audit", key: reader).status == .forbidden)

                let page = try await client.json(.get, "/v1/audit", key: admin)
                #expect(page.status == .ok)
                let entries = try #require(page.body["entries"] as? [[String: Any]])
                // The operator's keys that set the test up are audited too; the test follows the API's changes.
                let rows = entries.filter { $0["actor"] as? String != "cli" }.map { "\($0["partner"]!) \($0["actor"]!) \($0["action"]!) \($0["object"]!)" }
                #expect(rows == [
                    "geschaeftsstelle \(adminID) key.create \(essenID)",
                    "stadt-essen \(essenID) subscription.create \(subscriptionID)",
                    "stadt-essen \(essenID) event.publish \(eventID)",
                    "stadt-essen \(essenID) delivery.retry \(deliveryID)",
                    "stadt-essen \(essenID) deliveries.retry \(eventID)",
                    "stadt-essen \(essenID) subscription.update \(subscriptionID)",
                    "stadt-essen \(essenID) subscription.delete \(subscriptionID)",
                    "geschaeftsstelle \(adminID) key.revoke \(essenID)",
                ])
                #expect(entries.first { $0["action"] as? String == "deliveries.retry" }?["detail"] as? String == "1 dead", "how many were put back")
                #expect(!String(describing: entries).contains("Mustermann"), "no message text in the audit")
                #expect(!String(describing: entries).contains(url), "no recipient in the audit")
                for (previous, entry) in zip(entries, entries.dropFirst()) {
                    #expect(entry["previousHash"] as? String == previous["hash"] as? String)
                }
                #expect(entries.first?["previousHash"] as? String == AuditChain.genesis)
                let essenOnly = try await client.json(.get, "/v1/audit?partner=stadt-essen&limit=2", key: admin)
                let firstTwo = try #require(essenOnly.body["entries"] as? [[String: Any]])
                #expect(firstTwo.map { $0["action"] as? String } == ["subscription.create", "event.publish"])
                let next = try #require(essenOnly.body["next"] as? Int)
                let rest = try await client.json(.get, "/v1/audit?partner=stadt-essen&after=\(next)", key: admin)
                #expect((rest.body["entries"] as? [[String: Any]])?.map { $0["action"] as? String }
                    == ["delivery.retry", "deliveries.retry", "subscription.update", "subscription.delete"])
                #expect(try await client.json(.get, "/v1/audit?limit=0", key: admin).status == .unprocessableContent)
            } }
        }
    }

    /// Verifies the whole stored chain.
    func verify(_ store: SQLiteStore) async throws -> AuditChain.Break? {
        var verifier = AuditChain.Verifier()
        return verifier.check(try await store.auditEntries(after: 0, limit: 10_000, partner: nil))
    }

    @Test("the chain shows an edited row, a re-hashed row, a removed row; SQLite refuses edits that do not first drop its guard")
    func tamperEvident() async throws {
        try await TestGateway.withGateway { fixture in
            let store = fixture.store
            let start = utc("2026-11-25T08:00:00Z")
            try await store.appendAudit((0..<5).map { index in
                AuditRecord(at: start.addingTimeInterval(Double(index)), partner: "stadt-essen", actor: "siko_abcdefghij", action: .subscriptionCreate, object: "sub_\(index)")
            })
            #expect(try await verify(store) == nil)
            // The trigger's own refusal, not just any error (a typo in the SQL would also throw).
            let update = await #expect(throws: DatabaseError.self, "append-only for anyone going through SQLite") {
                try await store.pool.write { db in try db.execute(sql: "UPDATE audit SET partner = 'stadt-bochum' WHERE sequence = 2") }
            }
            #expect(update?.resultCode == .SQLITE_CONSTRAINT && update?.message == "the audit trail is append-only", "\(String(describing: update))")
            let delete = await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE sequence = 5") }
            }
            #expect(delete?.resultCode == .SQLITE_CONSTRAINT && delete?.message == "the audit trail is append-only", "\(String(describing: delete))")
            #expect(try await verify(store) == nil, "both refused: the chain is as written")
            // Someone with the file in hand drops the guard and edits entry 2.
            try await store.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete")
                try db.execute(sql: "UPDATE audit SET partner = 'stadt-bochum' WHERE sequence = 2")
            }
            #expect(try await verify(store)?.sequence == 2)
            #expect(try await verify(store)?.reason.contains("edited") == true)
            // ...and recomputes its hash: now entry 3 no longer links to it.
            let edited = try #require(try await store.auditEntries(after: 1, limit: 1, partner: nil).first)
            let rehashed = AuditChain.hash(sequence: 2, previousHash: edited.previousHash, record: edited.record)
            try await store.pool.write { db in try db.execute(sql: "UPDATE audit SET hash = ? WHERE sequence = 2", arguments: [rehashed]) }
            #expect(try await verify(store)?.sequence == 3)
            // Removing the edited entries altogether leaves a gap.
            try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE sequence IN (2, 3)") }
            #expect(try await verify(store)?.reason.contains("missing") == true)
        }
    }

    @Test("siko audit verify: exit 0 with the head hash on an intact trail, exit 1 naming the edited entry")
    func verifyCommand() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"))
        try await store.appendAudit((0..<3).map {
            AuditRecord(at: Date(), partner: "stadt-essen", actor: "cli", action: .keyCreate, object: "siko_key\($0)")
        })
        let intact = try SikoBinary.run("audit", "verify", "--data", folder.path)
        #expect(intact.status == 0)
        #expect(intact.stdout.contains("intact: 3 entries, head "))
        try await store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: "UPDATE audit SET object = 'siko_other' WHERE sequence = 3")
        }
        let broken = try SikoBinary.run("audit", "verify", "--data", folder.path)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("entry 3"))
    }

    @Test("purge removes titles, bodies, targets and answers of old finished events, from the files too; counts and audit stay")
    func purge() async throws {
        let clock = ManualClock(utc("2026-01-10T10:00:00Z"))
        let inbox = Inbox(answers: [.internalServerError, .noContent])
        try await TestGateway.withGateway(retrySchedule: RetrySchedule(delays: [.zero, .zero, .zero]), clock: clock) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    let essen = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage, .deliveriesRead)
                    _ = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                        {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                        """)
                    let gone = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                        {"name":"Alt","areas":["bochum"],"channel":"webhook","target":"https://alt.essen.example/verlassen"}
                        """)
                    _ = try await client.json(.delete, "/v1/subscriptions/\(try #require(gone.body["id"] as? String))", key: essen)
                    func publish(_ title: String, body: String) async throws -> String {
                        let answer = try await client.json(.post, "/v1/events", key: essen, body: """
                            {"topic":"razzia","urgency":"high","areas":["essen"],"title":"\(title)","body":"\(body)","data":{"zeuge":"\(title)"}}
                            """)
                        let id = answer.body["id"] as? String
                        #expect(id != nil, "\(title) was published")
                        return id ?? ""
                    }
                    let old = try await publish("Zeuge Max Mustermann", body: "Rückruf 0170 1234567")
                    let oldDelivery = try #require(try await fixture.store.deliveries(eventID: old).first)
                    #expect(try await fixture.waitForFinal(oldDelivery.id)?.status == .delivered)
                    let waiting = try await publish("Noch offen Erika Musterfrau", body: "wartet")
                    let waitingDelivery = try #require(try await fixture.store.deliveries(eventID: waiting).first)
                    _ = try await fixture.waitForFinal(waitingDelivery.id)
                    try await fixture.store.pool.write { db in
                        try db.execute(sql: "UPDATE delivery SET status = 'failed', next_attempt_at = ? WHERE id = ?",
                                       arguments: [StoredValue.millis(utc("2027-01-01T00:00:00Z")), waitingDelivery.id])
                    }

                    clock.advance(by: 91 * 86_400)
                    let recent = try await publish("Frisch Hans Beispiel", body: "neu")
                    let retention = Retention(age: Retention.defaultAge, store: fixture.store, clock: clock)
                    let counts = try await retention.purge()
                    #expect(counts == PurgeCounts(events: 1, deliveries: 1, subscriptions: 1))
                    #expect(try await retention.purge() == PurgeCounts(events: 0, deliveries: 0, subscriptions: 0), "a second run finds nothing")

                    let admin = try await fixture.key("geschaeftsstelle", .admin)
                    let purged = try await client.json(.get, "/v1/events/\(old)", key: admin)
                    #expect(purged.body["title"] as? String == "" && purged.body["body"] is NSNull && purged.body["purgedAt"] is String)
                    #expect((purged.body["deliveries"] as? [String: Int])?["delivered"] == 1, "counts stay")
                    let delivery = try await client.json(.get, "/v1/deliveries/\(oldDelivery.id)", key: admin)
                    #expect(delivery.body["target"] as? String == "" && delivery.body["status"] as? String == "delivered")
                    #expect(delivery.body["attempts"] as? Int == 2)
                    let history = delivery.body["history"] as? [[String: Any]] ?? []
                    #expect(history.count == 2 && history.allSatisfy { $0["error"] == nil || $0["error"] is NSNull })
                    #expect(try await fixture.store.event(id: waiting)?.title == "Noch offen Erika Musterfrau", "a delivery still under way keeps its event")
                    #expect(try await fixture.store.event(id: recent)?.title == "Frisch Hans Beispiel")

                    let audit = try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil)
                    #expect(audit.filter { $0.record.action == "event.publish" }.count == 3, "the audit keeps what happened")
                    let purge = audit.last { $0.record.action == "data.purge" }
                    #expect(purge?.record.actor == "system" && purge?.record.detail == "events 1, deliveries 1, subscriptions 1")
                    var verifier = AuditChain.Verifier()
                    #expect(verifier.check(audit) == nil)

                    let files = try Self.bytes(of: fixture.folder, "siko.sqlite")
                    for gone in ["Mustermann", "0170 1234567", "alt.essen.example"] {
                        #expect(files.range(of: Data(gone.utf8)) == nil, "\(gone) is gone from the database files")
                    }
                    #expect(files.range(of: Data("Erika Musterfrau".utf8)) != nil, "the check itself can see text that stayed")
                }
            }
        }
    }

    @Test("retention runs by itself: once at start, then again each day (a day by default), each time taking what has come of age")
    func retentionAtStartAndDaily() async throws {
        let clock = ManualClock(utc("2026-01-10T10:00:00Z"))
        let inbox = Inbox()
        try await TestGateway.withGateway(clock: clock) { fixture in
            try await GatewayApplication.make(gateway: fixture.gateway, host: "127.0.0.1", port: 0).test(.live) { client in try await Inbox.serve(inbox) { url in
                let essen = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage)
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                _ = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"\(url)"}
                    """)
                func publish(_ title: String) async throws -> String {
                    let answer = try await client.json(.post, "/v1/events", key: essen, body: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"\(title)"}
                        """)
                    guard let id = answer.body["id"] as? String, let delivery = try await fixture.store.deliveries(eventID: id).first else {
                        Issue.record("\(title) was not published with a delivery")
                        return ""
                    }
                    #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered)
                    return id
                }
                func purged(_ event: String) async throws -> Bool {
                    try await client.json(.get, "/v1/events/\(event)", key: admin).body["purgedAt"] is String
                }
                /// Waits (bounded) for the service's next run to purge `event`.
                func waitUntilPurged(_ event: String) async throws -> Bool {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        if try await purged(event) { return true }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return false
                }
                let first = try await publish("Zeuge Max Mustermann")
                clock.advance(by: 91 * 86_400)
                let second = try await publish("Zeugin Erika Musterfrau")

                let retention = Retention(age: Retention.defaultAge, store: fixture.store, clock: clock)
                #expect(RetentionService(retention: retention, logger: fixture.gateway.logger).interval == .seconds(86_400), "daily unless told otherwise")
                // The same service with a short interval, so "the next day's run" comes while the test waits.
                let service = RetentionService(retention: retention, interval: .milliseconds(50), logger: fixture.gateway.logger)
                let running = Task { try await service.run() }
                let atStart = try await waitUntilPurged(first)
                #expect(atStart, "the run at start takes the 91-day-old event")
                let freshStays = try await purged(second) == false
                #expect(freshStays, "a fresh event stays")
                clock.advance(by: 91 * 86_400)
                let later = try await waitUntilPurged(second)
                #expect(later, "a later run takes it once it has come of age")
                running.cancel()
                _ = await running.result
                let purges = try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).filter { $0.record.action == "data.purge" }
                #expect(purges.map(\.record.actor) == ["system", "system"], "two runs removed something, each audited")
            } }
        }
    }

    /// An SMS gateway on 127.0.0.1 that takes every message, as Kannel does, and never reports by itself.
    static func withSMSGateway<T: Sendable>(_ body: @escaping @Sendable (_ url: String) async throws -> T) async throws -> T {
        let router = Router()
        router.get("cgi-bin/sendsms") { _, _ in
            Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: "0: Accepted for delivery")))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/cgi-bin/sendsms") }
    }

    @Test("an SMS still waiting for its report holds its event back from the purge; a report after the purge writes no text")
    func purgeAndSMSReports() async throws {
        let clock = ManualClock(utc("2026-01-10T10:00:00Z"))
        try await Self.withSMSGateway { url in
            let sms = ChannelSettings(
                retrySchedule: RetrySchedule(delays: [.zero]), timeout: .seconds(5), concurrency: 2,
                options: SMSOptions(url: url, from: "SiKoRuhr", user: "siko", password: "geheim", links: Links(publicURL: "https://siko.example"))
            )
            try await TestGateway.withGateway(sms: sms, clock: clock) { fixture in
                try await GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0).test(.live) { client in
                    let essen = try await fixture.key("stadt-essen", .eventsPublish, .subscriptionsManage)
                    let subscribed = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                        {"name":"Bereitschaft","areas":["essen"],"channel":"sms","target":"+4917012345678"}
                        """)
                    #expect(subscribed.status == .created)
                    func publish(_ title: String) async throws -> (event: String, delivery: String) {
                        let answer = try await client.json(.post, "/v1/events", key: essen, body: """
                            {"topic":"razzia","urgency":"critical","areas":["essen"],"title":"\(title)"}
                            """)
                        let event = try #require(answer.body["id"] as? String)
                        let delivery = try #require(try await fixture.store.deliveries(eventID: event).first)
                        #expect(try await fixture.waitForFinal(delivery.id)?.status == .sent)
                        return (event, delivery.id)
                    }
                    func report(_ delivery: String, _ status: Int, answer: String) async throws -> HTTPResponse.Status {
                        let token = fixture.gateway.receiptToken.token(for: delivery)
                        let query = "delivery=\(delivery)&token=\(token)&status=\(status)&answer=" + answer.replacingOccurrences(of: " ", with: "%20")
                        return try await client.json(.get, "/v1/callbacks/sms?" + query, key: nil).status
                    }
                    let reported = try await publish("Zeuge Max Mustermann")
                    let silent = try await publish("Zeugin Erika Musterfrau")

                    // A short retention age (siko serve --retention 1d), so the events are due while reports can still come.
                    clock.advance(by: 2 * 86_400)
                    let retention = Retention(age: .seconds(86_400), store: fixture.store, clock: clock)
                    #expect(try await retention.purge().events == 0, "both SMS still wait for their reports")
                    #expect(try await fixture.store.event(id: reported.event)?.title == "Zeuge Max Mustermann")

                    #expect(try await report(reported.delivery, 1, answer: "zugestellt an Max Mustermann") == .ok)
                    #expect(try await fixture.store.delivery(id: reported.delivery)?.status == .delivered)
                    #expect(try await retention.purge().events == 1, "delivered now: its event goes")
                    #expect(try await fixture.store.event(id: silent.event)?.title == "Zeugin Erika Musterfrau")

                    // The SMSC reports once more, late, with a text naming the person.
                    #expect(try await report(reported.delivery, 8, answer: "Rueckruf Max Mustermann 0170 1234567") == .ok)
                    let receipts = try await fixture.store.receipts(deliveryID: reported.delivery)
                    #expect(Set(receipts.map(\.report)) == [.delivered, .acceptedBySMSC], "the report itself is kept")
                    #expect(receipts.allSatisfy { $0.detail == nil }, "\(receipts)")

                    // A report that never comes holds its event no longer than SMSCs keep trying.
                    clock.advance(by: 6 * 86_400)
                    #expect(try await retention.purge().events == 1)
                    #expect(try await fixture.store.event(id: silent.event)?.title == "")
                    #expect(try await report(silent.delivery, 16, answer: "abgelehnt Erika Musterfrau") == .ok)
                    let dead = try await fixture.store.delivery(id: silent.delivery)
                    #expect(dead?.status == .dead && dead?.lastError == "SMS report: rejected by the SMSC", "\(String(describing: dead))")

                    try await fixture.store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
                    let files = try Self.bytes(of: fixture.folder, "siko.sqlite")
                    for gone in ["Mustermann", "Musterfrau", "0170 1234567"] {
                        #expect(files.range(of: Data(gone.utf8)) == nil, "\(gone) is gone from the database files")
                    }
                }
            }
        }
    }

    @Test("a WAL checkpoint that fails during a purge (a reader holds the WAL) fails siko purge and is an error in serve's log")
    func failedCheckpoint() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let key = try SikoBinary.run("keys", "create", "--data", folder.path, "--partner", "stadt-essen", "--scope", "events:publish")
        #expect(key.status == 0)
        // Another process in the middle of reading, as an operator's sqlite3 shell would be.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN")
            db.execute("SELECT count(*) FROM api_key").fetchall()
            print("reading", flush=True)
            sys.stdin.read()
            """, folder.file("siko.sqlite")]
        let input = Pipe(), output = Pipe()
        reader.standardInput = input
        reader.standardOutput = output
        try reader.run()
        defer {
            try? input.fileHandleForWriting.close()
            reader.waitUntilExit()
        }
        #expect(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).contains("reading"))

        let blocked = try SikoBinary.run("purge", "--data", folder.path)
        #expect(blocked.status == 1)
        #expect(blocked.stdout.contains("purged 0 events"), "the purge itself is done")
        #expect(blocked.stderr.contains("WAL checkpoint failed"), "\(blocked.stderr)")

        let server = try SikoServe(arguments: ["serve", "--data", folder.path, "--port", "0"])
        let log = try await server.waitFor("retention purge: the WAL checkpoint failed")
        #expect(log.contains("error"))
        try await server.stop()

        try input.fileHandleForWriting.close()
        reader.waitUntilExit()
        let free = try SikoBinary.run("purge", "--data", folder.path)
        #expect(free.status == 0, "\(free.stderr)")
        #expect(!free.stderr.contains("WAL checkpoint failed"))
    }

    /// The database file and its WAL, as one blob.
    static func bytes(of folder: TemporaryDirectory, _ name: String) throws -> Data {
        var data = try Data(contentsOf: URL(fileURLWithPath: folder.file(name)))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: folder.file(name + "-wal"))) { data += wal }
        return data
    }

    @Test("no API key, webhook secret or request-signing secret lies in the database in the clear; a wrong key does not open it")
    func secretsAtRest() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                let created = try await client.json(.post, "/v1/keys", key: admin, body: #"{"partner":"stadt-essen","scopes":["events:publish","subscriptions:manage"],"requireSignature":true}"#)
                let key = try #require(created.body["key"] as? String)
                let signing = try #require(created.body["signingSecret"] as? String)
                #expect(signing.hasPrefix("whsec_") && created.body["requiresSignature"] as? Bool == true)
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                let subscription = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"https://lage.essen.example/hook"}
                    """)
                let webhookSecret = try #require(subscription.body["secret"] as? String)
                let listed = try await client.json(.get, "/v1/keys?partner=stadt-essen", key: admin)
                #expect(!String(describing: listed.body).contains(signing), "listings never show the signing secret")

                try await fixture.store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.full) }
                let files = try Self.bytes(of: fixture.folder, "siko.sqlite")
                for secret in [key, admin, signing, webhookSecret, String(signing.dropFirst(6)), String(webhookSecret.dropFirst(6))] {
                    #expect(files.range(of: Data(secret.utf8)) == nil)
                }
                let unsealed = try await fixture.store.pool.read { db in
                    try Int.fetchOne(db, sql: """
                        SELECT (SELECT count(*) FROM subscription WHERE secret NOT LIKE 'sealed:v1:%')
                             + (SELECT count(*) FROM api_key WHERE signing_secret NOT LIKE 'sealed:v1:%')
                             + (SELECT count(*) FROM secret WHERE CAST(value AS TEXT) NOT LIKE 'sealed:v1:%')
                        """)
                }
                #expect(unsealed == 0)
                #expect(try await fixture.store.key(hash: KeyAuthority.hash(key))?.signingSecret == signing, "the gateway itself can still open it")
                await #expect(throws: SecretSealer.KeyError.self) {
                    let wrong = SecretSealer(key: SymmetricKey(size: .bits256))
                    try await wrong.prepare(try SQLiteStore(path: fixture.folder.file("siko.sqlite"), sealer: wrong))
                }
            }
        }
    }

    @Test("a secret written in the clear by an earlier version is sealed when the store opens")
    func sealsLegacySecrets() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("siko.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try await store.insertSubscription(subscription(id: "sub_legacy", areas: ["essen"]), secret: "whsec_placeholder")
            // As a database from before sealing: the secret in the clear, and no canary.
            try await store.pool.write { db in
                try db.execute(sql: "UPDATE subscription SET secret = 'whsec_bGVnYWN5LXNlY3JldC0xMjM0NTY3OA==' WHERE id = 'sub_legacy'")
                try db.execute(sql: "DELETE FROM secret WHERE name = 'sealer-canary'")
            }
        }
        let reopened = try SQLiteStore(path: path)
        try await SecretSealer.keyFile(at: path + ".key").prepare(reopened)
        let stored = try await reopened.pool.read { db in try String.fetchOne(db, sql: "SELECT secret FROM subscription WHERE id = 'sub_legacy'") }
        #expect(stored?.hasPrefix("sealed:v1:") == true)
        #expect(try reopened.sealer.unseal(try #require(stored)) == "whsec_bGVnYWN5LXNlY3JldC0xMjM0NTY3OA==")
    }
}
