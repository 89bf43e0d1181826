import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing
@testable import SikoCore
@testable import SikoServer

/// Issue 13: through the application core, a change whose audit entry cannot be written is not made
/// at all: not in the store, and not in the live matching index that routes the next event.
@Suite("Application core: no change without its audit entry")
struct AuditAtomicityTests {
    /// Makes every audit append fail (or work again), on a connection of its own to the gateway's file.
    func audit(refused: Bool, in fixture: TestGateway) throws {
        let queue = try DatabaseQueue(path: fixture.folder.file("siko.sqlite"))
        try queue.write { db in
            try db.execute(sql: refused
                ? "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END;"
                : "DROP TRIGGER refuse_audit")
        }
        try queue.close()
    }

    @Test("POST /v1/subscriptions with the audit refused answers problem+json, and no event reaches the subscription afterwards")
    func subscriptionCreate() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let key = try await fixture.key("stadt-essen", .subscriptionsManage, .eventsPublish)
                let kept = try await client.json(.post, "/v1/subscriptions", key: key, body: """
                    {"name":"Lage","areas":["essen"],"channel":"webhook","target":"https://lage.essen.example/hook"}
                    """)
                #expect(kept.status == .created)
                let keptID = try #require(kept.body["id"] as? String)

                try audit(refused: true, in: fixture)
                let refused = try await client.execute(
                    uri: "/v1/subscriptions", method: .post,
                    headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"name":"Zweite Lage","areas":["essen"],"channel":"webhook","target":"https://zweite.essen.example/hook"}"#)
                )
                #expect(refused.status == .internalServerError)
                #expect(refused.headers[.contentType] == "application/problem+json")
                let problem = try JSONSerialization.jsonObject(with: Data(buffer: refused.body)) as? [String: Any]
                #expect(problem?["status"] as? Int == 500)
                #expect(try await fixture.store.subscriptions(partner: "stadt-essen").map(\.id) == [keptID], "not in the store")
                #expect(fixture.gateway.engine.count == 1, "not in the live index")

                try audit(refused: false, in: fixture)
                let published = try await client.json(.post, "/v1/events", key: key, body: """
                    {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Kontrolle"}
                    """)
                #expect(published.status == .accepted)
                #expect(published.body["deliveries"] as? Int == 1, "the next event reaches the subscription that was made, and only it")
                let eventID = try #require(published.body["id"] as? String)
                #expect(try await fixture.store.deliveries(eventID: eventID).map(\.subscriptionId) == [keptID])
            }
        }
    }
}
