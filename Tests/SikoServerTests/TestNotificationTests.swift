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

/// `TestNotificationService.sendTest` and `POST /v1/subscriptions/{id}/test`. The router runs
/// without the dispatcher here, so deliveries stay as planned.
@Suite("Test notifications: the service and the API")
struct TestNotificationTests {
    let essen = Identity(partner: "stadt-essen", keyID: "siko_essen", scopes: [.subscriptionsManage])
    let bochum = Identity(partner: "stadt-bochum", keyID: "siko_bochum", scopes: [.subscriptionsManage])

    func create(_ fixture: TestGateway, _ name: String, target: String, by identity: Identity, areas: [String] = ["essen"]) async throws -> Subscription {
        try await fixture.gateway.subscriptions.create(
            SubscriptionSubmission(name: name, areas: areas, topics: ["razzia"], minUrgency: "medium", channel: "webhook", target: target),
            by: identity
        ).subscription
    }

    @Test("one delivery, to that subscription only, of an event marked test; audited with who asked")
    func onlyThatSubscription() async throws {
        try await TestGateway.withGateway { fixture in
            let nord = try await create(fixture, "Lagedienst Nord", target: "http://127.0.0.1:9/nord", by: essen)
            let sued = try await create(fixture, "Lagedienst Süd", target: "http://127.0.0.1:9/sued", by: essen)
            _ = try await create(fixture, "Leitstelle", target: "http://127.0.0.1:9/bochum", by: bochum, areas: ["ruhr"])

            let sent = try await fixture.gateway.testNotifications.sendTest(subscriptionID: nord.id, by: essen)
            #expect(sent.subscriptionId == nord.id)
            let deliveries = try await fixture.store.deliveries(eventID: sent.eventId)
            #expect(deliveries.map(\.id) == [sent.deliveryId], "no other subscription, matching or not, gets it: \(sued.id)")
            let delivery = try #require(deliveries.first)
            #expect(delivery.subscriptionId == nord.id && delivery.target == nord.target && delivery.channel == .webhook)
            #expect(delivery.status == .pending && delivery.content == .full && delivery.rule == nil)
            let event = try #require(try await fixture.store.event(id: sent.eventId))
            #expect(event.test && !event.exercise && event.publisher == "stadt-essen" && event.topic == "razzia")
            #expect(event.title == "Test des Abonnements \"Lagedienst Nord\"")

            let entry = try #require(try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).last?.record)
            #expect(entry.action == "subscription.test" && entry.object == nord.id && entry.actor == "siko_essen" && entry.partner == "stadt-essen")
            #expect(entry.detail == "\(sent.deliveryId), webhook")
        }
    }

    @Test("tests count toward no flood limit and open no duplicate window, live or read back at start")
    func outsideThePolicies() async throws {
        let policies = Policies(duplicateWindow: .seconds(1800), floodLimits: [.webhook: FloodLimit(channel: .webhook, max: 2, per: .seconds(3600))])
        try await TestGateway.withGateway(policies: policies) { fixture in
            let nord = try await create(fixture, "Lagedienst Nord", target: "http://127.0.0.1:9/nord", by: essen)
            var tests: [TestNotification] = []
            for _ in 0..<3 { tests.append(try await fixture.gateway.testNotifications.sendTest(subscriptionID: nord.id, by: essen)) }
            for test in tests {
                #expect(try await fixture.store.delivery(id: test.deliveryId)?.status == .pending, "a test is never held back")
            }
            let testEvent = try #require(try await fixture.store.event(id: tests[0].eventId))
            func like(_ title: String) -> Event {
                event(publisher: testEvent.publisher, topic: testEvent.topic, urgency: testEvent.urgency, areas: testEvent.areas, title: title, at: Date())
            }
            func decision(_ engine: RuleEngine, _ event: Event) -> PolicyDecision? { engine.plan(event, now: Date()).decisions.first }

            // Read back at start: three test sends and three test events, yet one like them goes out.
            let copy = decision(try await RuleEngine.load(rules: fixture.gateway.engine.rules, store: fixture.store, now: Date()), like(testEvent.title))
            #expect(copy?.rule == nil, "neither a duplicate of a test nor over a flood limit by tests: \(String(describing: copy))")

            // Live: an event like the test event, as the duplicate rule compares them, is sent.
            let twin = try await fixture.gateway.publishing.publish(
                EventSubmission(topic: testEvent.topic, urgency: testEvent.urgency.rawValue, areas: testEvent.areas, title: testEvent.title),
                idempotencyKey: nil, by: Identity(partner: "stadt-essen", keyID: "siko_pub", scopes: [.eventsPublish])
            )
            let real = try #require(try await fixture.store.deliveries(eventID: twin.eventId).first)
            #expect(real.status == .pending, "three tests before it, yet sent: \(real.lastError ?? "")")

            // At start again: the real send counts (one more goes, the next is held), the tests do not.
            let again = try await RuleEngine.load(rules: fixture.gateway.engine.rules, store: fixture.store, now: Date())
            #expect(decision(again, like("Neue Lage A"))?.rule == nil)
            let third = decision(again, like("Neue Lage B"))
            #expect(third?.action == .suppress && third?.rule == .floodLimit, "\(String(describing: third))")
        }
    }

    @Test("a disabled subscription is refused (409), a deleted or another partner's is not found, a key without the scope is refused; an admin may")
    func refusals() async throws {
        try await TestGateway.withGateway { fixture in
            let service = fixture.gateway.testNotifications
            let nord = try await create(fixture, "Lagedienst Nord", target: "http://127.0.0.1:9/nord", by: essen)
            await #expect(throws: ServiceError.notFound("subscription \(nord.id)")) { try await service.sendTest(subscriptionID: nord.id, by: bochum) }
            let reader = Identity(partner: "stadt-essen", keyID: "siko_read", scopes: [.deliveriesRead])
            await #expect(throws: ServiceError.missingScope(.subscriptionsManage)) { try await service.sendTest(subscriptionID: nord.id, by: reader) }
            let admin = Identity(partner: "geschaeftsstelle", keyID: "siko_admin", scopes: [.admin])
            let byAdmin = try await service.sendTest(subscriptionID: nord.id, by: admin)
            #expect(try await fixture.store.delivery(id: byAdmin.deliveryId)?.target == nord.target)

            _ = try await fixture.gateway.subscriptions.update(id: nord.id, with: SubscriptionSubmission(enabled: false), by: essen)
            do {
                _ = try await service.sendTest(subscriptionID: nord.id, by: essen)
                Issue.record("a disabled subscription got a test")
            } catch ServiceError.conflict(let type, _, let detail) {
                #expect(type == "subscription-inactive" && detail.hasPrefix("Das Abonnement ist deaktiviert"))
            }
            try await fixture.gateway.subscriptions.delete(id: nord.id, by: essen)
            await #expect(throws: ServiceError.notFound("subscription \(nord.id)")) { try await service.sendTest(subscriptionID: nord.id, by: essen) }
        }
    }

    @Test("POST /v1/subscriptions/{id}/test: 202 with the delivery and links; 404, 409, 403, 401 as problem+json")
    func http() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage, .deliveriesRead)
                let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                    {"name":"Lagedienst","areas":["essen"],"channel":"webhook","target":"http://127.0.0.1:9/hook"}
                    """)
                let id = try #require(created.body["id"] as? String)

                let sent = try await client.json(.post, "/v1/subscriptions/\(id)/test", key: manager)
                #expect(sent.status == .accepted)
                let deliveryID = try #require(sent.body["deliveryId"] as? String)
                let eventID = try #require(sent.body["eventId"] as? String)
                #expect(deliveryID.hasPrefix("dlv_") && eventID.hasPrefix("evt_") && sent.body["subscriptionId"] as? String == id)
                let links = try #require(sent.body["links"] as? [String: String])
                #expect(links == ["delivery": "/v1/deliveries/\(deliveryID)", "event": "/v1/events/\(eventID)"])
                #expect(sent.headers[.location] == "/v1/deliveries/\(deliveryID)")
                let followed = try await client.json(.get, links["delivery"] ?? "", key: manager)
                #expect(followed.status == .ok && followed.body["subscriptionId"] as? String == id)
                let event = try await client.json(.get, links["event"] ?? "", key: manager)
                #expect(event.status == .ok && event.body["test"] as? Bool == true && event.body["exercise"] as? Bool == false)

                func problem(_ response: (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields), _ status: HTTPResponse.Status, _ type: String) {
                    #expect(response.status == status)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.body["type"] as? String == "urn:siko:problem:\(type)", "\(response.body)")
                }
                let other = try await fixture.key("stadt-bochum", .subscriptionsManage)
                problem(try await client.json(.post, "/v1/subscriptions/\(id)/test", key: other), .notFound, "not-found")
                problem(try await client.json(.post, "/v1/subscriptions/sub_00000000000000000000000000/test", key: manager), .notFound, "not-found")
                let reader = try await fixture.key("stadt-essen", .deliveriesRead)
                problem(try await client.json(.post, "/v1/subscriptions/\(id)/test", key: reader), .forbidden, "missing-scope")
                problem(try await client.json(.post, "/v1/subscriptions/\(id)/test", key: nil), .unauthorized, "unauthorized")

                #expect(try await client.json(.patch, "/v1/subscriptions/\(id)", key: manager, body: #"{"enabled":false}"#).status == .ok)
                let disabled = try await client.json(.post, "/v1/subscriptions/\(id)/test", key: manager)
                problem(disabled, .conflict, "subscription-inactive")
                #expect((disabled.body["detail"] as? String)?.contains("deaktiviert") == true)
                #expect(try await client.json(.delete, "/v1/subscriptions/\(id)", key: manager).status == .noContent)
                problem(try await client.json(.post, "/v1/subscriptions/\(id)/test", key: manager), .notFound, "not-found")
            }
        }
    }
}
