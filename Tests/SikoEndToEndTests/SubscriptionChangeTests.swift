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

/// Nothing is sent for a deleted or disabled subscription, and a changed subscription's open
/// deliveries follow the change: real receivers on 127.0.0.1, a live gateway.
@Suite("Subscription changes reach the deliveries still open")
struct SubscriptionChangeTests {
    struct Setup: Sendable {
        let fixture: TestGateway
        let client: any TestClientProtocol
        let manager: String
        let publisher: String

        func subscribe(_ target: String, areas: String = #"["essen"]"#) async throws -> String {
            let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                {"name":"Lage","areas":\(areas),"channel":"webhook","target":"\(target)"}
                """)
            return try #require(created.body["id"] as? String)
        }

        func publish(_ extra: String = "") async throws -> Delivery {
            let published = try await client.json(.post, "/v1/events", key: publisher, body: """
                {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Zugriff Altendorfer Straße"\(extra)}
                """)
            let eventID = try #require(published.body["id"] as? String)
            return try #require(try await fixture.store.deliveries(eventID: eventID).first)
        }

        /// Waits (bounded) until the delivery is in `status`.
        func wait(_ id: String, for status: DeliveryStatus, timeout: Duration = .seconds(15)) async throws -> Delivery {
            let deadline = ContinuousClock.now + timeout
            var delivery = try #require(try await fixture.store.delivery(id: id))
            while delivery.status != status, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                delivery = try #require(try await fixture.store.delivery(id: id))
            }
            return delivery
        }
    }

    func withSetup(retrySchedule: RetrySchedule, _ body: @escaping @Sendable (Setup) async throws -> Void) async throws {
        try await TestGateway.withGateway(retrySchedule: retrySchedule) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await body(Setup(
                    fixture: fixture, client: client, manager: try await fixture.key("stadt-essen", .subscriptionsManage, .deliveriesRead),
                    publisher: try await fixture.key("stadt-essen", .eventsPublish)
                ))
            }
        }
    }

    @Test("PATCH enabled:false suppresses the open deliveries with the reason; a dead one's retry answers 409 subscription-inactive, a bulk retry takes none")
    func disabledByPatch() async throws {
        let down = Inbox(answers: [.serviceUnavailable])
        try await withSetup(retrySchedule: RetrySchedule(delays: [.zero, .seconds(600)])) { setup in
            try await Inbox.serve(down) { url in
                let id = try await setup.subscribe(url)
                let waiting = try await setup.wait(try await setup.publish().id, for: .failed)
                #expect(waiting.status == .failed, "failed once, next try in 10 minutes")
                let patched = try await setup.client.json(.patch, "/v1/subscriptions/\(id)", key: setup.manager, body: #"{"enabled":false}"#)
                #expect(patched.status == .ok)
                let suppressed = try #require(try await setup.fixture.store.delivery(id: waiting.id))
                #expect(suppressed.status == .suppressed)
                #expect(suppressed.lastError == "subscription disabled")
                let retried = try await setup.client.json(.post, "/v1/deliveries/\(waiting.id)/retry", key: setup.manager)
                #expect(retried.status == .conflict, "a suppressed delivery is final")
                #expect(await down.received.count == 1)
            }
        }
        let dead = Inbox(answers: [.serviceUnavailable])
        try await withSetup(retrySchedule: RetrySchedule(delays: [.zero])) { setup in
            try await Inbox.serve(dead) { url in
                let id = try await setup.subscribe(url)
                let delivery = try await setup.wait(try await setup.publish().id, for: .dead)
                #expect(delivery.status == .dead)
                _ = try await setup.client.json(.patch, "/v1/subscriptions/\(id)", key: setup.manager, body: #"{"enabled":false}"#)
                let retried = try await setup.client.json(.post, "/v1/deliveries/\(delivery.id)/retry", key: setup.manager)
                #expect(retried.status == .conflict)
                #expect(retried.body["type"] as? String == "urn:siko:problem:subscription-inactive")
                #expect(retried.headers[.contentType] == "application/problem+json")
                let bulk = try await setup.client.json(.post, "/v1/deliveries/retry", key: setup.manager, body: "{}")
                #expect(bulk.body["requeued"] as? Int == 0)
                #expect(try await setup.fixture.store.delivery(id: delivery.id)?.status == .dead)
                try await Task.sleep(for: .milliseconds(500))
                #expect(await dead.received.count == 1, "nothing more went to the disabled subscription")
            }
        }
    }

    @Test("a subscription deleted while its delivery is in flight: the failed attempt is not tried again")
    func deletedWhileSending() async throws {
        let slow = Inbox(answers: [.serviceUnavailable], delay: .seconds(1))
        try await withSetup(retrySchedule: RetrySchedule(delays: [.zero, .zero, .zero])) { setup in
            try await Inbox.serve(slow) { url in
                let id = try await setup.subscribe(url)
                let delivery = try await setup.publish()
                let deadline = ContinuousClock.now + .seconds(10)
                while await slow.received.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                let deleted = try await setup.client.json(.delete, "/v1/subscriptions/\(id)", key: setup.manager)
                #expect(deleted.status == .noContent)
                let final = try await setup.wait(delivery.id, for: .suppressed)
                #expect(final.status == .suppressed)
                #expect(final.lastError == "subscription deleted")
                try await Task.sleep(for: .milliseconds(1500))
                #expect(await slow.received.count == 1, "the attempt under way when it was deleted was the last")
            }
        }
    }

    @Test("a changed target takes the open deliveries along; https to plain http turns VS-NfD content into the teaser")
    func retargeted() async throws {
        let inbox = Inbox()
        try await withSetup(retrySchedule: RetrySchedule(delays: [.zero, .seconds(2)])) { setup in
            try await Inbox.serve(inbox) { url in
                // Nothing listens on port 1: the first attempt fails, the next comes in 2 s.
                let id = try await setup.subscribe("https://127.0.0.1:1/hook")
                let planned = try await setup.publish(#","classification":"restricted""#)
                #expect(planned.content == .full, "https carries VS-NfD in full")
                _ = try await setup.wait(planned.id, for: .failed)
                let patched = try await setup.client.json(.patch, "/v1/subscriptions/\(id)", key: setup.manager, body: #"{"target":"\#(url)"}"#)
                #expect(patched.status == .ok)
                let moved = try #require(try await setup.fixture.store.delivery(id: planned.id))
                #expect(moved.target == url)
                #expect(moved.content == .teaser && moved.rule == .classification)
                let delivered = try await setup.wait(planned.id, for: .delivered)
                #expect(delivered.status == .delivered)
                let body = String(decoding: try #require(await inbox.received.first).body, as: UTF8.self)
                #expect(!body.contains("Altendorfer"), "the title never goes over plain http")
                #expect(body.contains("VS-NfD"))
            }
        }
    }

    @Test("areas changed so an event no longer matches: its open delivery is suppressed as 'subscription changed'")
    func noLongerMatches() async throws {
        let down = Inbox(answers: [.serviceUnavailable])
        try await withSetup(retrySchedule: RetrySchedule(delays: [.zero, .seconds(600)])) { setup in
            try await Inbox.serve(down) { url in
                let id = try await setup.subscribe(url)
                let waiting = try await setup.wait(try await setup.publish().id, for: .failed)
                let patched = try await setup.client.json(.patch, "/v1/subscriptions/\(id)", key: setup.manager, body: #"{"areas":["dortmund"]}"#)
                #expect(patched.status == .ok)
                let suppressed = try #require(try await setup.fixture.store.delivery(id: waiting.id))
                #expect(suppressed.status == .suppressed)
                #expect(suppressed.lastError == "subscription changed: it no longer matches this event")
            }
        }
    }
}

@Suite("Subscription compare-and-set (store)")
struct SubscriptionCompareAndSetTests {
    @Test("a change built on a stale read is refused, so it cannot re-enable what was disabled meanwhile")
    func staleRead() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"))
        let read = subscription(areas: ["essen"])
        try await store.insertSubscription(read, secret: nil)
        var disabled = read
        disabled.enabled = false
        disabled.disabledReason = "the receiver answered 410 Gone"
        #expect(try await store.updateSubscription(disabled, from: read, review: { _ in [] }, audit: .byTest(.subscriptionUpdate, object: read.id)))
        var renamed = read
        renamed.name = "Lagedienst"
        #expect(try await store.updateSubscription(renamed, from: read, review: { _ in [] }, audit: .byTest(.subscriptionUpdate, object: read.id)) == false)
        let now = try #require(try await store.subscription(id: read.id))
        #expect(!now.enabled && now.name == "test")
        #expect(try await store.updateSubscription(renamed, from: now, review: { _ in [] }, audit: .byTest(.subscriptionUpdate, object: read.id)) == true)
    }
}
