import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoSQLite
import Testing
@testable import SikoServer
@testable import SikoCore

@Suite("HTTP API: authentication, scopes, jurisdiction, idempotency, validation")
struct APITests {
    let event = #"{"externalId":"essen-2026-0042","topic":"razzia","urgency":"high","areas":["essen"],"title":"Großkontrolle Altendorfer Straße","body":"Gemeinsame Kontrolle ab 20:00 Uhr."}"#

    func withAPI(_ body: @escaping @Sendable (TestGateway, any TestClientProtocol) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in try await body(fixture, client) }
        }
    }

    func subscriptionBody(areas: String = #"["essen"]"#, target: String = "https://lage.pp-essen.example/hooks/siko", channel: String = "webhook") -> String {
        #"{"name":"Lagedienst PP Essen","areas":\#(areas),"topics":["razzia","geldwaesche"],"minUrgency":"medium","channel":"\#(channel)","target":"\#(target)"}"#
    }

    @Test("no key, a wrong key, or a malformed header answer 401 problem+json")
    func unauthenticated() async throws {
        try await withAPI { _, client in
            for key in [nil, "siko_nope_nope", "wrong"] as [String?] {
                let response = try await client.json(.post, "/v1/events", key: key, body: event)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(response.body["status"] as? Int == 401)
            }
        }
    }

    @Test("each endpoint needs its scope")
    func scopes() async throws {
        try await withAPI { fixture, client in
            let reader = try await fixture.key("stadt-essen", .deliveriesRead)
            let publish = try await client.json(.post, "/v1/events", key: reader, body: event)
            #expect(publish.status == .forbidden)
            #expect(publish.body["type"] as? String == "urn:siko:problem:missing-scope")
            #expect(try await client.json(.post, "/v1/subscriptions", key: reader, body: subscriptionBody()).status == .forbidden)
            let publisher = try await fixture.key("stadt-essen", .eventsPublish)
            #expect(try await client.json(.get, "/v1/deliveries", key: publisher).status == .forbidden)
            #expect(try await client.json(.get, "/v1/subscriptions", key: publisher).status == .forbidden)
            let admin = try await fixture.key("geschaeftsstelle", .admin)
            #expect(try await client.json(.get, "/v1/deliveries", key: admin).status == .ok)
        }
    }

    @Test("publishers publish only within their jurisdiction")
    func jurisdiction() async throws {
        try await withAPI { fixture, client in
            let essen = try await fixture.key("stadt-essen", .eventsPublish)
            let outside = try await client.json(.post, "/v1/events", key: essen, body: #"{"topic":"razzia","urgency":"high","areas":["essen","dortmund"],"title":"x"}"#)
            #expect(outside.status == .forbidden)
            #expect((outside.body["detail"] as? String)?.contains("dortmund") == true)
            let kreis = try await fixture.key("kreis-recklinghausen", .eventsPublish)
            #expect(try await client.json(.post, "/v1/events", key: kreis, body: #"{"topic":"razzia","urgency":"high","areas":["marl"],"title":"x"}"#).status == .accepted)
            let university = try await fixture.key("hspv-nrw", .eventsPublish)
            #expect(try await client.json(.post, "/v1/events", key: university, body: #"{"topic":"test","urgency":"low","areas":["essen"],"title":"x"}"#).status == .forbidden)
            let police = try await fixture.key("bundespolizei", .eventsPublish)
            #expect(try await client.json(.post, "/v1/events", key: police, body: #"{"topic":"fahndung","urgency":"critical","areas":["ruhr"],"title":"x"}"#).status == .accepted)
            #expect(try await client.json(.post, "/v1/events", key: essen, body: #"{"topic":"razzia","urgency":"high","areas":["05113000"],"title":"AGS"}"#).status == .accepted)
        }
    }

    @Test("the same externalId again answers 200 with the first event and sends nothing twice")
    func externalIdIdempotency() async throws {
        try await withAPI { fixture, client in
            let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
            #expect(try await client.json(.post, "/v1/subscriptions", key: manager, body: subscriptionBody()).status == .created)
            let key = try await fixture.key("stadt-essen", .eventsPublish)
            let first = try await client.json(.post, "/v1/events", key: key, body: event)
            #expect(first.status == .accepted)
            #expect(first.body["deliveries"] as? Int == 1)
            #expect(first.body["duplicate"] as? Bool == false)
            let again = try await client.json(.post, "/v1/events", key: key, body: event)
            #expect(again.status == .ok)
            #expect(again.body["id"] as? String == first.body["id"] as? String)
            #expect(again.body["duplicate"] as? Bool == true)
            #expect(try await fixture.store.deliveries(matching: DeliveryQuery()).count == 1)
        }
    }

    @Test("the Idempotency-Key header works like externalId, per partner")
    func idempotencyKeyHeader() async throws {
        try await withAPI { fixture, client in
            let key = try await fixture.key("bundespolizei", .eventsPublish)
            let body = #"{"topic":"lagebild","urgency":"low","areas":["ruhr"],"title":"Lagebild"}"#
            let header: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "retry-7"]
            let first = try await client.json(.post, "/v1/events", key: key, body: body, headers: header)
            let again = try await client.json(.post, "/v1/events", key: key, body: body, headers: header)
            #expect(first.status == .accepted && again.status == .ok)
            #expect(again.body["id"] as? String == first.body["id"] as? String)
            let other = try await fixture.key("generalzolldirektion", .eventsPublish)
            #expect(try await client.json(.post, "/v1/events", key: other, body: body, headers: header).status == .accepted)
            let unkeyed = try await client.json(.post, "/v1/events", key: key, body: body)
            #expect(unkeyed.status == .accepted, "without a key or externalId every post is a new event")
        }
    }

    @Test("validation names every bad field")
    func validation() async throws {
        try await withAPI { fixture, client in
            let key = try await fixture.key("stadt-essen", .eventsPublish)
            let response = try await client.json(.post, "/v1/events", key: key, body: #"{"topic":"unbekannt","urgency":"sehr","areas":[],"classification":"geheim","expiresAt":"2001-01-01T00:00:00Z"}"#)
            #expect(response.status == .unprocessableContent)
            let fields = Set((response.body["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["topic", "urgency", "areas", "title", "classification", "expiresAt"])
            let wrongType = try await client.json(.post, "/v1/events", key: key, body: #"{"topic":"razzia","urgency":"high","areas":"essen","title":"x"}"#)
            #expect(wrongType.status == .unprocessableContent)
            #expect((wrongType.body["errors"] as? [[String: Any]])?.first?["field"] as? String == "areas")
            let malformed = try await client.json(.post, "/v1/events", key: key, body: #"{"topic": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.headers[.contentType] == "application/problem+json")
            let xml = try await client.json(.post, "/v1/events", key: key, body: "<alert/>", headers: [.contentType: "text/plain"])
            #expect(xml.status == .unsupportedMediaType)
            #expect(try await fixture.store.deliveries(matching: DeliveryQuery()).isEmpty)
        }
    }

    @Test("bodies over 256 KiB answer 413")
    func tooLarge() async throws {
        try await withAPI { fixture, client in
            let key = try await fixture.key("stadt-essen", .eventsPublish)
            let big = #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x","body":""# + String(repeating: "ä", count: 140_000) + #""}"#
            let response = try await client.json(.post, "/v1/events", key: key, body: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("subscriptions: the secret is shown once; other partners see 404; unconfigured channels 422")
    func subscriptions() async throws {
        try await withAPI { fixture, client in
            let essen = try await fixture.key("stadt-essen", .subscriptionsManage)
            let created = try await client.json(.post, "/v1/subscriptions", key: essen, body: subscriptionBody())
            #expect(created.status == .created)
            let id = try #require(created.body["id"] as? String)
            #expect((created.body["secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect(created.headers[.location] == "/v1/subscriptions/\(id)")
            let shown = try await client.json(.get, "/v1/subscriptions/\(id)", key: essen)
            #expect(shown.status == .ok && shown.body["secret"] == nil)

            let bochum = try await fixture.key("stadt-bochum", .subscriptionsManage)
            #expect(try await client.json(.get, "/v1/subscriptions/\(id)", key: bochum).status == .notFound)
            #expect(try await client.json(.patch, "/v1/subscriptions/\(id)", key: bochum, body: #"{"name":"mine"}"#).status == .notFound)
            #expect(try await client.json(.delete, "/v1/subscriptions/\(id)", key: bochum).status == .notFound)
            let list = try await client.json(.get, "/v1/subscriptions", key: bochum)
            #expect((list.body["subscriptions"] as? [Any])?.isEmpty == true)

            let email = try await client.json(.post, "/v1/subscriptions", key: essen, body: subscriptionBody(target: "lage@polizei.nrw.de", channel: "email"))
            #expect(email.status == .unprocessableContent)
            #expect((email.body["errors"] as? [[String: Any]])?.first?["message"] as? String == "channel not configured: email")
            let privateTarget = try await client.json(.post, "/v1/subscriptions", key: essen, body: subscriptionBody(target: "https://192.168.1.10/hook"))
            #expect(privateTarget.status == .unprocessableContent)
        }
    }

    @Test("changing or deleting a subscription changes who hears of the next event")
    func subscriptionChangesMatching() async throws {
        try await withAPI { fixture, client in
            let manager = try await fixture.key("kreis-wesel", .subscriptionsManage)
            let publisher = try await fixture.key("kreis-wesel", .eventsPublish)
            let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: subscriptionBody(areas: #"["moers"]"#))
            let id = try #require(created.body["id"] as? String)
            let inXanten = #"{"topic":"razzia","urgency":"high","areas":["xanten"],"title":"x"}"#
            #expect(try await client.json(.post, "/v1/events", key: publisher, body: inXanten).body["deliveries"] as? Int == 0)
            let patched = try await client.json(.patch, "/v1/subscriptions/\(id)", key: manager, body: #"{"areas":["kreis-wesel"]}"#)
            #expect(patched.status == .ok)
            #expect(try await client.json(.post, "/v1/events", key: publisher, body: inXanten).body["deliveries"] as? Int == 1)
            #expect(try await client.json(.delete, "/v1/subscriptions/\(id)", key: manager).status == .noContent)
            #expect(try await client.json(.post, "/v1/events", key: publisher, body: inXanten).body["deliveries"] as? Int == 0)
            #expect(try await client.json(.get, "/v1/subscriptions/\(id)", key: manager).status == .notFound)
        }
    }

    @Test("the publisher sees every delivery of its event with others' targets masked; outsiders see nothing")
    func deliveryVisibility() async throws {
        try await withAPI { fixture, client in
            let essenManager = try await fixture.key("stadt-essen", .subscriptionsManage)
            let policeManager = try await fixture.key("bundespolizei", .subscriptionsManage)
            _ = try await client.json(.post, "/v1/subscriptions", key: essenManager, body: subscriptionBody(target: "https://essen.example/own"))
            _ = try await client.json(.post, "/v1/subscriptions", key: policeManager, body: subscriptionBody(areas: #"["ruhr"]"#, target: "https://bpol.example/secret"))
            let essen = try await fixture.key("stadt-essen", .eventsPublish, .deliveriesRead)
            let published = try await client.json(.post, "/v1/events", key: essen, body: event)
            let eventID = try #require(published.body["id"] as? String)

            let asPublisher = try await client.json(.get, "/v1/events/\(eventID)/deliveries", key: essen)
            let targets = (asPublisher.body["deliveries"] as? [[String: Any]] ?? []).map { "\($0["partner"]!)=\($0["target"]!)" }.sorted()
            #expect(targets == ["bundespolizei=***", "stadt-essen=https://essen.example/own"])

            let police = try await fixture.key("bundespolizei", .deliveriesRead)
            let asRecipient = try await client.json(.get, "/v1/events/\(eventID)/deliveries", key: police)
            let own = asRecipient.body["deliveries"] as? [[String: Any]] ?? []
            #expect(own.count == 1 && own.first?["target"] as? String == "https://bpol.example/secret")

            let summary = try await client.json(.get, "/v1/events/\(eventID)", key: essen)
            #expect((summary.body["deliveries"] as? [String: Int])?["pending"] == 2)
            #expect(summary.body["title"] as? String == "Großkontrolle Altendorfer Straße")

            let outsider = try await fixture.key("stadt-hagen", .deliveriesRead)
            #expect(try await client.json(.get, "/v1/events/\(eventID)", key: outsider).status == .notFound)
            #expect(try await client.json(.get, "/v1/events/\(eventID)/deliveries", key: outsider).status == .notFound)
            let deliveryID = try #require(own.first?["id"] as? String)
            #expect(try await client.json(.get, "/v1/deliveries/\(deliveryID)", key: outsider).status == .notFound)
            let page = try await client.json(.get, "/v1/deliveries", key: outsider)
            #expect((page.body["deliveries"] as? [Any])?.isEmpty == true)
            #expect(try await client.json(.get, "/v1/deliveries/\(deliveryID)", key: police).status == .ok)
            let pending = try await client.json(.post, "/v1/deliveries/\(deliveryID)/retry", key: police)
            #expect(pending.status == .conflict)
            let ownPage = try await client.json(.get, "/v1/deliveries?limit=10", key: police)
            #expect(ownPage.body.keys.contains("next") && ownPage.body["next"] is NSNull, "the last page says next: null")
            let first = try #require((ownPage.body["deliveries"] as? [[String: Any]])?.first)
            #expect(first["lastError"] is NSNull && first["nextAttemptAt"] != nil, "empty fields are present as null")
            let filter = try await client.json(.get, "/v1/deliveries?status=sideways", key: police)
            #expect(filter.status == .unprocessableContent)
        }
    }

    @Test("reference data, health, readiness and metrics")
    func operations() async throws {
        try await withAPI { fixture, client in
            let key = try await fixture.key("hspv-nrw", .deliveriesRead)
            let areas = try await client.json(.get, "/v1/areas", key: key)
            #expect((areas.body["areas"] as? [Any])?.count == 61)
            let topics = try await client.json(.get, "/v1/topics", key: key)
            #expect((topics.body["topics"] as? [[String: Any]])?.contains { $0["id"] as? String == "geldwaesche" } == true)
            #expect(try await client.json(.get, "/v1/areas", key: nil).status == .unauthorized)
            #expect(try await client.json(.get, "/health", key: nil).status == .ok)
            #expect(try await client.json(.get, "/ready", key: nil).body["status"] as? String == "ready")
            let publisher = try await fixture.key("stadt-essen", .eventsPublish)
            _ = try await client.json(.post, "/v1/events", key: publisher, body: event)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(String(buffer: metrics.body).contains("siko_events_accepted_total 1"))
            let missing = try await client.json(.get, "/v1/nowhere", key: key)
            #expect(missing.status == .notFound && missing.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("keys are stored as hashes; an expired key or an unknown partner is refused")
    func keysAtRest() async throws {
        try await TestGateway.withGateway { fixture in
            let issued = try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: [.eventsPublish])
            #expect(issued.key.hasPrefix(issued.record.id + "_"))
            #expect(issued.record.id.wholeMatch(of: /siko_[0-9a-z]{10}/) != nil, "a readable id: no leading _ or -")
            #expect(!issued.record.hash.contains(issued.key))
            let database = try String(contentsOfFile: fixture.folder.file("siko.sqlite"), encoding: .isoLatin1)
                + ((try? String(contentsOfFile: fixture.folder.file("siko.sqlite-wal"), encoding: .isoLatin1)) ?? "")
            #expect(!database.contains(String(issued.key.suffix(43))), "the secret part of the key is not on disk")
            #expect(try await fixture.gateway.authority.authenticate(issued.key)?.partner == "stadt-essen")
            await #expect(throws: ServiceError.self, "a key cannot be issued already expired") {
                try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: [.eventsPublish], expiresAt: Date(timeIntervalSinceNow: -1))
            }
            await #expect(throws: ServiceError.self) { try await fixture.gateway.keys.issue(partner: "nobody", scopes: [.admin]) }
        }
    }

    @Test("/metrics shows the queue by state and how long the oldest due delivery has waited, on the gateway's clock")
    func queueMetrics() async throws {
        // No dispatcher runs in router tests, so what is published stays due while the clock moves.
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                func metric(_ name: String) async throws -> Double? {
                    let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                    return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
                }
                #expect(try await metric("siko_delivery_oldest_due_seconds") == 0, "an empty queue has waited for nothing")
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                #expect(try await client.json(.post, "/v1/subscriptions", key: manager, body: subscriptionBody()).status == .created)
                let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                #expect(try await client.json(.post, "/v1/events", key: publisher, body: event).status == .accepted)
                clock.advance(by: 120)
                #expect(try await metric(#"siko_delivery_queue{state="due"}"#) == 1)
                #expect(try await metric("siko_delivery_oldest_due_seconds") == 120)
                #expect(try await client.json(.post, "/v1/events", key: publisher, body: event.replacingOccurrences(of: "0042", with: "0043").replacingOccurrences(of: "Großkontrolle", with: "Nachkontrolle")).status == .accepted)
                clock.advance(by: 30)
                #expect(try await metric(#"siko_delivery_queue{state="due"}"#) == 2)
                #expect(try await metric("siko_delivery_oldest_due_seconds") == 150, "the oldest, not the newest")
                #expect(try await metric(#"siko_delivery_queue{state="sending"}"#) == 0)
            }
        }
    }
}
