import Foundation
import Hummingbird
import HummingbirdTesting
import SikoCore
import SikoModel
import SikoSQLite
import SikoTestGateway
import SikoTestSupport
import Testing

/// Users, their keys and who may administer whom, through the services the console and the API call.
@Suite("People: users, their keys, administration")
struct PeopleTests {
    @Test("an admin of a partner administers only that partner: other partners' users and keys are out of reach")
    func partnerAdmin() async throws {
        try await TestGateway.withGateway { fixture in
            let users = fixture.gateway.users, keys = fixture.gateway.keys
            let essenAdmin = Identity.signedIn(try await fixture.user("admin.essen", of: "stadt-essen", .admin))
            let bochum = try await fixture.user("ben.bochum", of: "stadt-bochum", .viewer)
            #expect(!essenAdmin.isAdmin && essenAdmin.visibleTo == "stadt-essen", "never the global admin scope")

            let anna = try await users.create(
                .init(partner: nil, login: "Anna.Schmidt", name: "Anna Schmidt", roles: ["viewer"], password: "richtig-langes-passwort"), by: essenAdmin
            )
            #expect(anna.partner == "stadt-essen" && anna.login == "anna.schmidt", "their own partner; the login lowercased")
            await #expect(throws: ServiceError.missingScope(.admin)) {
                _ = try await users.create(
                    .init(partner: "stadt-bochum", login: "eve", name: "Eve", roles: ["admin"], password: "richtig-langes-passwort"), by: essenAdmin
                )
            }
            #expect(try await users.list(by: essenAdmin).map(\.login) == ["admin.essen", "anna.schmidt"])
            #expect(try await users.list(partner: "stadt-bochum", by: essenAdmin).isEmpty)
            await #expect(throws: ServiceError.notFound("user ben.bochum")) { _ = try await users.disable(bochum.login, by: essenAdmin) }
            await #expect(throws: ServiceError.notFound("user \(bochum.id)")) { _ = try await users.setRoles(bochum.id, to: ["admin"], by: essenAdmin) }
            await #expect(throws: ServiceError.notFound("user ben.bochum")) {
                _ = try await users.resetPassword(bochum.login, to: "ein-neues-passwort", by: essenAdmin)
            }
            await #expect(throws: ServiceError.notFound("user ben.bochum")) { _ = try await users.enrolSecondFactor(bochum.login, by: essenAdmin) }
            let untouched = try #require(try await fixture.store.user(id: bochum.id))
            #expect(untouched.roles == bochum.roles && untouched.passwordHash == bochum.passwordHash, "untouched")
            #expect(untouched.disabledAt == nil && untouched.totpSecret == nil)

            let own = try await keys.issue(by: essenAdmin, partner: "stadt-essen", scopes: ["events:publish"])
            #expect(own.record.partner == "stadt-essen")
            await #expect(throws: ServiceError.missingScope(.admin)) { _ = try await keys.issue(by: essenAdmin, partner: "stadt-bochum", scopes: ["events:publish"]) }
            await #expect(throws: ServiceError.missingScope(.admin)) { _ = try await keys.issue(by: essenAdmin, partner: "stadt-essen", scopes: ["admin"]) }
            await #expect(throws: ServiceError.missingScope(.admin)) {
                _ = try await keys.issue(by: essenAdmin, partner: "stadt-essen", scopes: ["events:publish-direct"])
            }
            let bochumKey = try await keys.issue(partner: "stadt-bochum", scopes: [.eventsPublish])
            await #expect(throws: ServiceError.notFound("key \(bochumKey.record.id)")) { _ = try await keys.revoke(by: essenAdmin, id: bochumKey.record.id) }
            #expect(try await keys.list(by: essenAdmin, partner: nil).map(\.id) == [own.record.id])
            #expect(try await keys.revoke(by: essenAdmin, id: own.record.id).revokedAt != nil)

            let audit = try await fixture.gateway.audit.entries(after: 0, limit: 1000, partner: "stadt-bochum", by: essenAdmin)
            #expect(!audit.isEmpty && audit.allSatisfy { $0.record.partner == "stadt-essen" }, "a partner's admin reads its own part of the audit only")

            let viewer = Identity.signedIn(anna)
            await #expect(throws: ServiceError.missingScope(.admin)) { _ = try await users.list(by: viewer) }
            await #expect(throws: ServiceError.missingScope(.admin)) { _ = try await fixture.gateway.audit.entries(after: 0, limit: 10, partner: nil, by: viewer) }
            #expect(try await users.setLanguage(anna.login, to: .en, by: viewer).language == .en, "everyone chooses their own language")
            await #expect(throws: ServiceError.missingScope(.admin)) { _ = try await users.setRoles(anna.login, to: ["admin"], by: viewer) }
        }
    }

    @Test("an admin of the Geschäftsstelle administers every partner and may grant events:publish-direct; nobody disables themselves")
    func centralAdmin() async throws {
        try await TestGateway.withGateway { fixture in
            let admin = Identity.signedIn(try await fixture.user("admin.gs", of: Identity.centralOffice, .admin))
            #expect(admin.isAdmin && admin.visibleTo == nil && !admin.has(.eventsPublishDirect))
            let ben = try await fixture.user("ben.bochum", of: "stadt-bochum", .viewer)
            #expect(try await fixture.gateway.users.setCleared(ben.login, true, by: admin).cleared)
            let direct = try await fixture.gateway.keys.issue(by: admin, partner: Identity.centralOffice, scopes: ["events:publish-direct"])
            #expect(direct.record.scopes == [.eventsPublishDirect])
            await #expect(throws: ServiceError.self) { _ = try await fixture.gateway.users.disable("admin.gs", by: admin) }
            let trail = try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).map(\.record)
            #expect(trail.contains { $0.action == AuditAction.userClearance.rawValue && $0.actor == "console (admin.gs)" && $0.object == ben.id })
        }
    }

    @Test("a person's key acts as them: the audit names them, their roles cap it now, and disabling them stops it with their sessions")
    func personsKey() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let anna = try await fixture.user("anna.schmidt", of: "stadt-essen", .editor)
                let issued = try await fixture.gateway.keys.issue(
                    by: .operator, partner: nil, user: "Anna.Schmidt", scopes: ["subscriptions:manage", "deliveries:read", "events:publish"]
                )
                #expect(issued.record.userID == anna.id && issued.record.partner == "stadt-essen", "of the person's partner")
                let identity = try #require(try await fixture.gateway.authority.authenticate(issued.key))
                #expect(identity.person?.userID == anna.id && identity.actor == "\(issued.record.id) (anna.schmidt)")
                #expect(!identity.has(.eventsPublish), "no role of hers publishes events, so her key does not either")

                let body = #"{"name":"Lage","areas":["essen"],"channel":"webhook","target":"https://93.184.216.34/hook"}"#
                let created = try await client.json(.post, "/v1/subscriptions", key: issued.key, body: body)
                #expect(created.status == .created)
                let trail = try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).map(\.record)
                #expect(trail.last?.action == AuditAction.subscriptionCreate.rawValue && trail.last?.actor == "\(issued.record.id) (anna.schmidt)")

                _ = try await fixture.gateway.users.setRoles(anna.login, to: ["viewer"], by: .operator)
                #expect(try await client.json(.post, "/v1/subscriptions", key: issued.key, body: body).status == .forbidden, "the role taken away takes effect")
                #expect(try await client.json(.get, "/v1/subscriptions", key: issued.key).status == .ok, "a viewer still reads")
                let admin = try await fixture.key("geschaeftsstelle", .admin)
                let listed = try await client.json(.get, "/v1/keys?partner=stadt-essen", key: admin)
                let row = (listed.body["keys"] as? [[String: Any]])?.first { $0["id"] as? String == issued.record.id }
                #expect(row?["user"] as? String == anna.id)
                let overAPI = try await client.json(.post, "/v1/keys", key: admin, body: #"{"user":"anna.schmidt","scopes":["deliveries:read"]}"#)
                #expect(overAPI.status == .created && overAPI.body["user"] as? String == anna.id && overAPI.body["partner"] as? String == "stadt-essen")
                let all = try await client.json(.get, "/v1/keys", key: admin).body["keys"] as? [[String: Any]] ?? []
                #expect(all.contains { $0["partner"] as? String == "geschaeftsstelle" && $0["user"] is NSNull }, "a system's key names nobody")

                _ = try await fixture.store.setSession(idHash: "anna-session", userID: anna.id, value: [1], at: Date(), onlyNew: true) { _, _ in
                    Date().addingTimeInterval(1800)
                }
                let done = try await fixture.gateway.users.disable(anna.login, by: .operator)
                #expect(Set(done.revokedKeys.map(\.id)) == [issued.record.id, overAPI.body["id"] as? String ?? "?"] && done.endedSessions == 1)
                #expect(try await client.json(.get, "/v1/subscriptions", key: issued.key).status == .unauthorized)
                #expect(try await fixture.store.session(idHash: "anna-session") == nil)
                #expect(try await fixture.gateway.signIn.activeUser(id: anna.id) == nil, "a session naming her ends at its next request")
                await #expect(throws: ServiceError.self, "no new key for a disabled user") {
                    _ = try await fixture.gateway.keys.issue(by: .operator, partner: nil, user: anna.login, scopes: ["deliveries:read"])
                }
            }
        }
    }

    @Test("a viewer reads subscriptions and deliveries but changes and retries nothing")
    func viewer() async throws {
        try await TestGateway.withGateway { fixture in
            let viewer = Identity.signedIn(try await fixture.user("vera", of: "stadt-essen", .viewer))
            #expect(try await fixture.gateway.subscriptions.list(by: viewer).isEmpty)
            #expect(try await fixture.gateway.deliveries.list(DeliveryQuery(), by: viewer).isEmpty)
            await #expect(throws: ServiceError.missingScope(.deliveriesRetry)) {
                _ = try await fixture.gateway.deliveries.retry(DeliveryService.RetryFilter(), by: viewer)
            }
            await #expect(throws: ServiceError.missingScope(.subscriptionsManage)) {
                _ = try await fixture.gateway.subscriptions.delete(id: "sub_x", by: viewer)
            }
        }
    }
}
