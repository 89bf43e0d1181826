import Foundation
import HummingbirdTesting
import SikoTestGateway
import Testing

/// Proof that the dispatcher has looked at the queue at the hand-moved clock's current time,
/// without waiting a fixed while: an event for a receiver of its own, due now, is delivered. The
/// claim that took it saw everything else due then, so a delivery that is still untouched
/// afterwards was not due, and "nothing was sent early" can be checked without a sleep.
/// The tests' other subscriptions take `razzia` only; the sentinel's events are `geldwaesche`.
struct Sentinel {
    let inbox: Inbox
    let publisher: String

    static func subscribe(_ fixture: TestGateway, _ client: some TestClientProtocol, inbox: Inbox, url: String) async throws -> Sentinel {
        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
        let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
            {"name":"Sentinel","areas":["essen"],"topics":["geldwaesche"],"channel":"webhook","target":"\(url)"}
            """)
        try #require(created.status == .created, "\(created.body)")
        return Sentinel(inbox: inbox, publisher: try await fixture.key("stadt-essen", .eventsPublish))
    }

    /// Publishes a sentinel event and waits (bounded, generously) until it has arrived.
    func pass(_ client: some TestClientProtocol) async throws {
        let before = await inbox.received.count
        // A new title each time: the duplicate policy would suppress a repeat.
        let published = try await client.json(.post, "/v1/events", key: publisher, body: """
            {"topic":"geldwaesche","urgency":"high","areas":["essen"],"title":"Kontrollpunkt \(before + 1)"}
            """)
        try #require(published.status == .accepted, "\(published.body)")
        let deadline = ContinuousClock.now + .seconds(60)
        while await inbox.received.count <= before, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(await inbox.received.count > before, "the dispatcher made no pass within 60 s")
    }
}
