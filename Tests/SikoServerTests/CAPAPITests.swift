import SikoTestSupport
import SikoTestGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

/// `POST /v1/events` with `Content-Type: application/cap+xml`, through the router (no dispatcher:
/// planned deliveries stay as planned).
@Suite("CAP in over the API: refusals, limits, the samples, status and scope")
struct CAPAPITests {
    static let samples = Repository.capSamples

    static func alert(status: String = "Actual", scope: String = "Public", identifier: String = "KR-1", ags: String = "05562024", extra: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(identifier)</identifier><sender>leitstelle@kreis-re.de</sender><sent>2026-12-01T03:10:00+01:00</sent>
          <status>\(status)</status><msgType>Alert</msgType><scope>\(scope)</scope>\(extra)
          <info><language>de-DE</language><category>Security</category><event>Razzia</event><urgency>Immediate</urgency>
            <severity>Severe</severity><certainty>Observed</certainty><headline>Großkontrolle in Marl</headline>
            <description>Kontrolle von Shisha-Bars.</description>
            <area><areaDesc>Marl</areaDesc><geocode><valueName>AGS</valueName><value>\(ags)</value></geocode></area></info>
          <info><language>en-GB</language><category>Security</category><event>Raid</event><urgency>Immediate</urgency>
            <severity>Severe</severity><certainty>Observed</certainty><headline>Joint inspection in Marl</headline>
            <area><areaDesc>Marl</areaDesc><geocode><valueName>AGS</valueName><value>\(ags)</value></geocode></area></info>
        </alert>
        """
    }

    static let cap: HTTPFields = [.contentType: "application/cap+xml"]

    /// The event a 202 names, as stored.
    func stored(_ fixture: TestGateway, _ answer: [String: Any]) async throws -> Event? {
        guard let id = answer["id"] as? String else { return nil }
        return try await fixture.store.event(id: id)
    }

    func withClient(_ body: @escaping @Sendable (TestGateway, any TestClientProtocol, String) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let key = try await fixture.key("kreis-recklinghausen", .eventsPublish, .subscriptionsManage, .deliveriesRead)
                try await body(fixture, client, key)
            }
        }
    }

    @Test("an alert of the Ruhr is accepted: mapped areas and topic, both languages stored, matched subscriptions planned")
    func accepted() async throws {
        try await withClient { fixture, client, key in
            for (name, language) in [("de", "de"), ("en", "en")] {
                _ = try await client.json(.post, "/v1/subscriptions", key: key, body: """
                    {"name":"\(name)","areas":["kreis-recklinghausen"],"channel":"webhook","target":"http://127.0.0.1:9/\(name)","language":"\(language)"}
                    """)
            }
            let answer = try await client.json(.post, "/v1/events", key: key, body: Self.alert(), headers: Self.cap)
            #expect(answer.status == .accepted, "\(answer.body)")
            #expect(answer.body["deliveries"] as? Int == 2 && answer.body["sent"] as? Bool == true && answer.body["duplicate"] as? Bool == false)
            let event = try #require(try await stored(fixture, answer.body))
            #expect(event.areas == ["marl"] && event.topic == "razzia" && event.urgency == .critical && event.title == "Großkontrolle in Marl")
            #expect(event.translations == [EventTranslation(language: .en, title: "Joint inspection in Marl", body: nil)])
            #expect(event.localized(for: .en).title == "Joint inspection in Marl")
        }
    }

    @Test("a DOCTYPE (XXE, billion laughs) answers 400 problem+json and stores nothing")
    func doctype() async throws {
        try await withClient { fixture, client, key in
            let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<alert>&x;</alert>"
            let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n<alert>&c;</alert>"
            for body in [xxe, laughs] {
                let answer = try await client.json(.post, "/v1/events", key: key, body: body, headers: Self.cap)
                #expect(answer.status == .badRequest)
                #expect(answer.headers[.contentType] == "application/problem+json")
                #expect(answer.body["type"] as? String == "urn:siko:problem:xml-declaration-refused")
                #expect((answer.body["detail"] as? String)?.hasPrefix("line 2:") == true)
                #expect((answer.body["detail"] as? String)?.contains("root:") == false, "nothing of the file is revealed")
            }
            #expect(try await fixture.store.recentEvents(visibleTo: nil, before: nil, limit: 10).isEmpty)
        }
    }

    @Test("CAP bodies up to 1 MiB: the 400 KB DWD alert is read (and refused for its areas), more than 1 MiB is 413; JSON stays at 256 KiB")
    func sizes() async throws {
        try await withClient { _, client, key in
            let large = try String(contentsOf: Self.samples.appendingPathComponent(
                "dwd-2.49.0.0.276.0.DWD.PVW.1687470000000.fe90b61b-3755-4efb-8eda-b161251da9f7.MUL.xml"), encoding: .utf8)
            #expect(large.utf8.count > 256 * 1024)
            let read = try await client.json(.post, "/v1/events", key: key, body: large, headers: Self.cap)
            #expect(read.status == .unprocessableContent)
            let padding = "<note>" + String(repeating: "x", count: 1024 * 1024) + "</note>"
            let tooLarge = try await client.json(.post, "/v1/events", key: key, body: Self.alert(extra: padding), headers: Self.cap)
            #expect(tooLarge.status == .contentTooLarge && tooLarge.body["detail"] as? String == "CAP alerts are limited to 1 MiB")
            let json = "{\"topic\":\"razzia\",\"urgency\":\"high\",\"areas\":[\"marl\"],\"title\":\"" + String(repeating: "x", count: 300 * 1024) + "\"}"
            #expect(try await client.json(.post, "/v1/events", key: key, body: json).status == .contentTooLarge)
        }
    }

    @Test("every shipped sample is refused with 422 naming the area element: none of them lies in the Ruhr")
    func samples() async throws {
        try await withClient { _, client, key in
            let names = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path).filter { $0.hasSuffix(".xml") }.sorted()
            #expect(names.count == 7)
            for name in names {
                let body = try String(contentsOf: Self.samples.appendingPathComponent(name), encoding: .utf8)
                let answer = try await client.json(.post, "/v1/events", key: key, body: body, headers: Self.cap)
                #expect(answer.status == .unprocessableContent, "\(name)")
                let errors = answer.body["errors"] as? [[String: Any]] ?? []
                let area = errors.first { ($0["field"] as? String)?.hasSuffix(".area") == true }
                #expect((area?["message"] as? String)?.hasPrefix("no area lies in the geography") == true, "\(name): \(errors)")
                #expect(area?["messageDe"] as? String != nil)
                if name.hasPrefix("dwd-") { #expect((area?["message"] as? String)?.contains("WARNCELLID") == true, "\(name)") }
            }
        }
    }

    @Test("status Test and System are stored and sent to nobody; Exercise is marked; Draft and Private are refused; Restricted is VS-NfD")
    func statusAndScope() async throws {
        try await withClient { fixture, client, key in
            _ = try await client.json(.post, "/v1/subscriptions", key: key, body: """
                {"name":"kreis","areas":["kreis-recklinghausen"],"channel":"webhook","target":"http://127.0.0.1:9/k"}
                """)
            for status in ["Test", "System"] {
                let answer = try await client.json(.post, "/v1/events", key: key, body: Self.alert(status: status, identifier: status), headers: Self.cap)
                #expect(answer.status == .accepted && answer.body["deliveries"] as? Int == 0 && answer.body["sent"] as? Bool == false)
                #expect(answer.body["reason"] as? String == "status \(status): stored, sent to nobody")
                #expect(try await stored(fixture, answer.body) != nil)
            }
            let exercise = try await client.json(.post, "/v1/events", key: key, body: Self.alert(status: "Exercise", identifier: "E"), headers: Self.cap)
            #expect(try await stored(fixture, exercise.body)?.exercise == true)
            let restricted = try await client.json(.post, "/v1/events", key: key, body: Self.alert(scope: "Restricted", identifier: "R", extra: "<restriction>VS-NfD</restriction>"), headers: Self.cap)
            #expect(try await stored(fixture, restricted.body)?.classification == .restricted)
            for (body, field) in [(Self.alert(status: "Draft", identifier: "D"), "alert.status"), (Self.alert(scope: "Private", identifier: "P", extra: "<addresses>x</addresses>"), "alert.scope")] {
                let refused = try await client.json(.post, "/v1/events", key: key, body: body, headers: Self.cap)
                #expect(refused.status == .unprocessableContent)
                #expect((refused.body["errors"] as? [[String: Any]])?.map { $0["field"] as? String } == [field])
            }
        }
    }

    @Test("an Ack from a recipient, naming the gateway's alert by its id, is recorded in the chain and sent to nobody")
    func acknowledgement() async throws {
        try await withClient { fixture, client, key in
            let marl = try await fixture.key("stadt-marl", .eventsPublish, .subscriptionsManage, .deliveriesRead)
            _ = try await client.json(.post, "/v1/subscriptions", key: marl, body: """
                {"name":"Lage","areas":["marl"],"channel":"webhook","target":"http://127.0.0.1:9/marl"}
                """)
            let published = try await client.json(.post, "/v1/events", key: key, body: Self.alert(), headers: Self.cap)
            let id = try #require(published.body["id"] as? String)
            let ack = """
                <?xml version="1.0" encoding="UTF-8"?>
                <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
                  <identifier>MARL-ACK-1</identifier><sender>lagedienst@marl.de</sender><sent>2026-12-01T03:12:00+01:00</sent>
                  <status>Actual</status><msgType>Ack</msgType><scope>Public</scope><note>Erhalten, Kräfte unterwegs.</note>
                  <references>siko-gateway,\(id),2026-12-01T03:10:00+01:00</references>
                </alert>
                """
            let answer = try await client.json(.post, "/v1/events", key: marl, body: ack, headers: Self.cap)
            #expect(answer.status == .accepted && answer.body["sent"] as? Bool == false && answer.body["deliveries"] as? Int == 0)
            #expect(answer.body["reason"] as? String == "msgType Ack: recorded, sent to nobody")
            let stored = try #require(try await stored(fixture, answer.body))
            #expect(stored.messageType == .ack && stored.references == [id] && stored.publisher == "stadt-marl" && stored.body == "Erhalten, Kräfte unterwegs.")
            let shown = try await client.json(.get, "/v1/events/\(id)", key: key)
            #expect((shown.body["chain"] as? [[String: Any]])?.map { $0["messageType"] as? String } == ["alert", "ack"])
            let stray = ack.replacingOccurrences(of: "MARL-ACK-1", with: "MARL-ACK-2").replacingOccurrences(of: id, with: "evt_unknown")
            #expect(try await client.json(.post, "/v1/events", key: marl, body: stray, headers: Self.cap).status == .unprocessableContent)
        }
    }

    @Test("jurisdiction applies as for JSON: an alert for Essen from the Kreis Recklinghausen is refused 403")
    func jurisdiction() async throws {
        try await withClient { _, client, key in
            let answer = try await client.json(.post, "/v1/events", key: key, body: Self.alert(ags: "05113000"), headers: Self.cap)
            #expect(answer.status == .forbidden && answer.body["type"] as? String == "urn:siko:problem:outside-jurisdiction")
        }
    }

    @Test("a wrong element is named in errors; expired alerts name their expires; an other content type is still 415")
    func errors() async throws {
        try await withClient { _, client, key in
            let bad = Self.alert().replacingOccurrences(of: "<urgency>Immediate</urgency>", with: "<urgency>Sofort</urgency>")
            let answer = try await client.json(.post, "/v1/events", key: key, body: bad, headers: Self.cap)
            #expect(answer.status == .unprocessableContent)
            let fields = (answer.body["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields == ["alert.info[0].urgency", "alert.info[1].urgency"])
            let expired = Self.alert().replacingOccurrences(of: "<headline>Großkontrolle", with: "<expires>2020-01-01T00:00:00+01:00</expires><headline>Großkontrolle")
            let old = try await client.json(.post, "/v1/events", key: key, body: expired, headers: Self.cap)
            #expect((old.body["errors"] as? [[String: Any]])?.first?["field"] as? String == "alert.info[0].expires")
            let xml = try await client.json(.post, "/v1/events", key: key, body: Self.alert(), headers: [.contentType: "text/xml"])
            #expect(xml.status == .unsupportedMediaType)
        }
    }
}

@Suite("CAP out over the API: an event as an alert, and the Atom feed of received alerts")
struct CAPOutAPITests {
    static let capAccept: HTTPFields = [.accept: "application/cap+xml"]

    func text(_ client: any TestClientProtocol, _ uri: String, key: String, headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        var headers = headers
        headers[.authorization] = "Bearer \(key)"
        let response = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        return (response.status, String(buffer: response.body), response.headers)
    }

    @Test("GET /v1/events/{id} with Accept: application/cap+xml answers an alert xmllint validates; JSON stays the default")
    func alert() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let key = try await fixture.key("kreis-recklinghausen", .eventsPublish, .deliveriesRead)
                let published = try await client.json(.post, "/v1/events", key: key, body: CAPAPITests.alert(), headers: CAPAPITests.cap)
                let id = try #require(published.body["id"] as? String)
                let (status, xml, headers) = try await text(client, "/v1/events/\(id)", key: key, headers: Self.capAccept)
                #expect(status == .ok && headers[.contentType] == "application/cap+xml" && headers[.vary] == "Accept")
                #expect(try XMLLint.check(xml, schema: XMLLint.capSchema) == nil, "\(xml)")
                #expect(xml.contains("<identifier>\(id)</identifier>") && xml.contains("<value>05562024</value>"))
                #expect(xml.contains("<language>en</language>"), "the English block goes out too")
                let (_, json, jsonHeaders) = try await text(client, "/v1/events/\(id)", key: key)
                #expect(jsonHeaders[.contentType] == "application/json" && json.hasPrefix("{"))
                let (missing, _, _) = try await text(client, "/v1/events/evt_nothing", key: key, headers: Self.capAccept)
                #expect(missing == .notFound)
            }
        }
    }

    @Test("the feed: a partner's received alerts, newest first, 100 a page with a next link; each entry's alert validates")
    func feed() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let publisher = try await fixture.key("kreis-recklinghausen", .eventsPublish, .subscriptionsManage, .deliveriesRead)
                let marl = try await fixture.key("stadt-marl", .subscriptionsManage, .deliveriesRead)
                let bochum = try await fixture.key("stadt-bochum", .deliveriesRead)
                _ = try await client.json(.post, "/v1/subscriptions", key: marl, body: """
                    {"name":"Lage","areas":["marl"],"channel":"webhook","target":"http://127.0.0.1:9/marl"}
                    """)
                var ids: [String] = []
                for number in 0..<101 {
                    let answer = try await client.json(.post, "/v1/events", key: publisher, body: """
                        {"topic":"razzia","urgency":"high","areas":["marl"],"title":"Kontrolle Nr. \(number) & mehr"}
                        """)
                    ids.append(try #require(answer.body["id"] as? String))
                }
                let (status, feed, headers) = try await text(client, "/v1/feeds/cap.atom", key: marl)
                #expect(status == .ok && headers[.contentType]?.hasPrefix("application/atom+xml") == true)
                #expect(try XMLLint.check(feed) == nil, "the feed is well-formed")
                let alerts = XMLLint.alerts(in: feed)
                #expect(alerts.count == 100)
                #expect(alerts.first?.contains("<identifier>\(ids[100])</identifier>") == true, "newest first")
                for alert in alerts.prefix(3) { #expect(try XMLLint.check(alert, schema: XMLLint.capSchema) == nil) }
                #expect(feed.contains("rel=\"next\"") && feed.contains("?after=\(ids[1])"))
                let (_, older, _) = try await text(client, "/v1/feeds/cap.atom?after=\(ids[1])", key: marl)
                #expect(XMLLint.alerts(in: older).count == 1 && older.contains("<identifier>\(ids[0])</identifier>") && !older.contains("rel=\"next\""))

                let (_, nothing, _) = try await text(client, "/v1/feeds/cap.atom", key: bochum)
                let emptyVerdict = try XMLLint.check(nothing)
                #expect(XMLLint.alerts(in: nothing).isEmpty && emptyVerdict == nil, "bochum received nothing")
                let manager = try await fixture.key("stadt-marl", .subscriptionsManage)
                let (refused, _, _) = try await text(client, "/v1/feeds/cap.atom", key: manager)
                #expect(refused == .forbidden, "deliveries:read is needed")
            }
        }
    }
}
