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

/// `POST /v1/events/{id}/update` and `/cancel`, and CAP Update and Cancel, over real sockets to
/// real webhook receivers: the original's recipients hear of them, nobody else.
@Suite("End to end: updates and cancellations reach the original recipients")
struct CorrectionEndToEndTests {
    /// What each receiver (`?for=`) got, as (messageType, title) in order.
    static func received(_ inbox: Inbox) async throws -> [String: [(type: String, title: String, references: [String])]] {
        var byReceiver: [String: [(String, String, [String])]] = [:]
        for request in await inbox.received {
            let payload = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            let event = try #require(payload["event"] as? [String: Any])
            let receiver = request.query ?? "?"
            byReceiver[receiver, default: []].append((event["messageType"] as? String ?? "", event["title"] as? String ?? "", event["references"] as? [String] ?? []))
        }
        return byReceiver
    }

    static func settle(_ fixture: TestGateway, _ eventID: String, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let deliveries = try await fixture.store.deliveries(eventID: eventID)
            if deliveries.count == count, deliveries.allSatisfy({ $0.status.isFinal }) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the deliveries of \(eventID) did not settle")
    }

    @Test("JSON: an update and a cancellation go to the original's live recipients at their current targets, nobody new; the chain shows all three")
    func json() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in try await fixture.live { client in
            try await Inbox.serve(inbox) { url in
                let essen = try await fixture.key("stadt-essen", .subscriptionsManage, .eventsPublish, .deliveriesRead)
                let bochum = try await fixture.key("stadt-bochum", .subscriptionsManage, .eventsPublish, .deliveriesRead)
                func subscribe(_ key: String, _ name: String, areas: String) async throws -> String {
                    let created = try await client.json(.post, "/v1/subscriptions", key: key, body: """
                        {"name":"\(name)","areas":[\(areas)],"channel":"webhook","target":"\(url)?for=\(name)"}
                        """)
                    return try #require(created.body["id"] as? String, "\(created.body)")
                }
                let kept = try await subscribe(essen, "kept", areas: #""essen""#)
                let deleted = try await subscribe(essen, "deleted", areas: #""essen""#)
                let disabled = try await subscribe(bochum, "disabled", areas: #""ruhr""#)
                _ = try await subscribe(bochum, "elsewhere", areas: #""bochum""#)

                let original = try await client.json(.post, "/v1/events", key: essen, body: """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle Altendorfer Straße"}
                    """)
                let id = try #require(original.body["id"] as? String)
                #expect(original.body["deliveries"] as? Int == 3)
                try await Self.settle(fixture, id, count: 3)

                // Since then: one subscription deleted, one disabled, one moved, one new that matches.
                #expect(try await client.json(.delete, "/v1/subscriptions/\(deleted)", key: essen).status == .noContent)
                #expect(try await client.json(.patch, "/v1/subscriptions/\(disabled)", key: bochum, body: #"{"enabled":false}"#).status == .ok)
                #expect(try await client.json(.patch, "/v1/subscriptions/\(kept)", key: essen, body: #"{"target":"\#(url)?for=kept-moved"}"#).status == .ok)
                _ = try await subscribe(essen, "new", areas: #""essen""#)

                let update = try await client.json(.post, "/v1/events/\(id)/update", key: essen, body: """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle verlegt: Essen-Mitte"}
                    """)
                #expect(update.status == .accepted)
                #expect(update.body["deliveries"] as? Int == 1, "only the live original recipient, not bochum's or the new one: \(update.body)")
                let updateID = try #require(update.body["id"] as? String)
                try await Self.settle(fixture, updateID, count: 1)
                let delivered = try await fixture.store.deliveries(eventID: updateID)
                #expect(delivered.map(\.subscriptionId) == [kept])
                #expect(delivered.first?.target == "\(url)?for=kept-moved")

                let cancel = try await client.json(.post, "/v1/events/\(updateID)/cancel", key: essen, body: #"{"reason":"Lage beendet"}"#)
                #expect(cancel.status == .accepted && cancel.body["deliveries"] as? Int == 1)
                let cancelID = try #require(cancel.body["id"] as? String)
                try await Self.settle(fixture, cancelID, count: 1)

                let again = try await client.json(.post, "/v1/events/\(id)/cancel", key: essen, body: #"{"reason":"noch einmal"}"#)
                #expect(again.status == .conflict && again.body["type"] as? String == "urn:siko:problem:already-cancelled")
                let foreign = try await client.json(.post, "/v1/events/\(id)/update", key: bochum, body: """
                    {"topic":"razzia","urgency":"high","areas":["bochum"],"title":"fremd"}
                    """)
                #expect(foreign.status == .forbidden && foreign.body["type"] as? String == "urn:siko:problem:not-publisher", "bochum received it, but did not publish it")

                let shown = try await client.json(.get, "/v1/events/\(id)", key: essen)
                let chain = try #require(shown.body["chain"] as? [[String: Any]])
                #expect(chain.map { $0["messageType"] as? String } == ["alert", "update", "cancel"])
                #expect(chain.map { $0["id"] as? String } == [id, updateID, cancelID])

                let received = try await Self.received(inbox)
                #expect(received["for=kept"]?.map(\.type) == ["alert"])
                #expect(received["for=kept-moved"]?.map(\.type) == ["update", "cancel"])
                #expect(received["for=kept-moved"]?.last?.references == [id, updateID])
                #expect(received["for=kept-moved"]?.last?.title == "Kontrolle verlegt: Essen-Mitte", "a cancellation names what it cancels")
                #expect(received["for=kept-moved"]?.first?.title == "Kontrolle verlegt: Essen-Mitte")
                #expect(received["for=new"] == nil && received["for=elsewhere"] == nil)
                #expect(received["for=deleted"]?.count == 1 && received["for=disabled"]?.count == 1, "the original only")
            }
        } }
    }

    @Test("an update is not held by quiet hours and takes the place of the held original; a cancellation stops what is unsent")
    func quietHours() async throws {
        let always = QuietHoursRule(name: "immer", from: TimeOfDay(hour: 0, minute: 0)!, until: TimeOfDay(hour: 23, minute: 59)!, below: .critical, channels: [.webhook: .defer])
        let inbox = Inbox()
        try await TestGateway.withGateway(policies: Policies(quietHours: [always])) { fixture in try await fixture.live { client in
            try await Inbox.serve(inbox) { url in
                let essen = try await fixture.key("stadt-essen", .subscriptionsManage, .eventsPublish, .deliveriesRead)
                _ = try await client.json(.post, "/v1/subscriptions", key: essen, body: """
                    {"name":"Nacht","areas":["essen"],"channel":"webhook","target":"\(url)?for=night"}
                    """)
                let original = try await client.json(.post, "/v1/events", key: essen, body: #"{"topic":"razzia","urgency":"medium","areas":["essen"],"title":"Lage"}"#)
                let id = try #require(original.body["id"] as? String)
                let held = try #require(try await fixture.store.deliveries(eventID: id).first)
                #expect(held.status == .pending && held.rule == .quietHours)

                let update = try await client.json(.post, "/v1/events/\(id)/update", key: essen, body: #"{"topic":"razzia","urgency":"medium","areas":["essen"],"title":"Lage, neu"}"#)
                let updateID = try #require(update.body["id"] as? String)
                try await Self.settle(fixture, updateID, count: 1)
                #expect(try await fixture.store.deliveries(eventID: updateID).first?.status == .delivered)
                let superseded = try #require(try await fixture.store.delivery(id: held.id))
                #expect(superseded.status == .suppressed && superseded.lastError == "superseded by \(updateID)")

                let cancel = try await client.json(.post, "/v1/events/\(id)/cancel", key: essen, body: #"{"reason":"erledigt"}"#)
                let cancelID = try #require(cancel.body["id"] as? String)
                try await Self.settle(fixture, cancelID, count: 1)
                #expect(try await Self.received(inbox)["for=night"]?.map(\.type) == ["update", "cancel"], "the held original never goes")
            }
        } }
    }

    static func cap(_ identifier: String, msgType: String = "Alert", references: String = "", info: String?) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(identifier)</identifier><sender>leitstelle@kreis-re.de</sender><sent>2026-12-01T03:10:00+01:00</sent>
          <status>Actual</status><msgType>\(msgType)</msgType><scope>Public</scope>
          \(msgType == "Cancel" ? "<note>Lage beendet</note>" : "")
          \(references.isEmpty ? "" : "<references>\(references)</references>")
          \(info ?? "")
        </alert>
        """
    }

    static func info(_ headline: String, ags: String) -> String {
        """
        <info><language>de-DE</language><category>Security</category><event>Razzia</event><urgency>Immediate</urgency>
        <severity>Severe</severity><certainty>Observed</certainty><headline>\(headline)</headline>
        <area><areaDesc>Gebiet</areaDesc><geocode><valueName>AGS</valueName><value>\(ags)</value></geocode></area></info>
        """
    }

    @Test("CAP: an Update and a Cancel by references reach exactly the original's recipients; an unknown reference publishes anew and says so")
    func cap() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in try await fixture.live { client in
            try await Inbox.serve(inbox) { url in
                let kreis = try await fixture.key("kreis-recklinghausen", .subscriptionsManage, .eventsPublish, .deliveriesRead)
                for (name, areas) in [("marl", "marl"), ("kreis", "kreis-recklinghausen"), ("herten", "herten")] {
                    _ = try await client.json(.post, "/v1/subscriptions", key: kreis, body: """
                        {"name":"\(name)","areas":["\(areas)"],"channel":"webhook","target":"\(url)?for=\(name)"}
                        """)
                }
                func post(_ xml: String) async throws -> (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields) {
                    try await client.json(.post, "/v1/events", key: kreis, body: xml, headers: [.contentType: "application/cap+xml"])
                }
                let original = try await post(Self.cap("KR-1", info: Self.info("Großkontrolle in Marl", ags: "05562024")))
                #expect(original.status == .accepted && original.body["deliveries"] as? Int == 2 && original.body["sent"] as? Bool == true)
                let id = try #require(original.body["id"] as? String)
                try await Self.settle(fixture, id, count: 2)
                let replay = try await post(Self.cap("KR-1", info: Self.info("Großkontrolle in Marl", ags: "05562024")))
                #expect(replay.status == .ok && replay.body["duplicate"] as? Bool == true && replay.body["id"] as? String == id)

                let reference = "leitstelle@kreis-re.de,KR-1,2026-12-01T03:10:00+01:00"
                let update = try await post(Self.cap("KR-2", msgType: "Update", references: reference, info: Self.info("Kontrolle ausgeweitet auf den Kreis", ags: "05562000")))
                #expect(update.status == .accepted && update.body["deliveries"] as? Int == 2, "herten matches the update's areas, but was not told of the original: \(update.body)")
                let updateID = try #require(update.body["id"] as? String)
                try await Self.settle(fixture, updateID, count: 2)

                let cancel = try await post(Self.cap("KR-3", msgType: "Cancel", references: "leitstelle@kreis-re.de,KR-2,2026-12-01T03:20:00+01:00", info: nil))
                #expect(cancel.status == .accepted && cancel.body["deliveries"] as? Int == 2)
                let cancelID = try #require(cancel.body["id"] as? String)
                try await Self.settle(fixture, cancelID, count: 2)
                let stored = try #require(try await fixture.store.event(id: cancelID))
                #expect(stored.messageType == .cancel && stored.references == [id] && stored.body == "Lage beendet")
                #expect(stored.title == "Kontrolle ausgeweitet auf den Kreis")

                let stray = try await post(Self.cap("KR-9", msgType: "Update", references: "leitstelle@kreis-re.de,KR-0,2026-11-30T03:10:00+01:00", info: Self.info("Neu", ags: "05562024")))
                #expect(stray.status == .accepted && (stray.body["note"] as? String)?.contains("published as a new alert") == true)
                let strayCancel = try await post(Self.cap("KR-8", msgType: "Cancel", references: "leitstelle@kreis-re.de,KR-0,2026-11-30T03:10:00+01:00", info: nil))
                #expect(strayCancel.status == .unprocessableContent)
                #expect((strayCancel.body["errors"] as? [[String: Any]])?.first?["field"] as? String == "alert.references")

                let received = try await Self.received(inbox)
                #expect(received["for=marl"]?.map(\.type) == ["alert", "update", "cancel", "alert"])
                #expect(received["for=kreis"]?.map(\.type) == ["alert", "update", "cancel", "alert"])
                #expect(received["for=herten"] == nil)
            }
        } }
    }
}
