import SikoTestSupport
import SikoTestGateway
import Foundation
import SikoModel
import SikoSQLite
import Testing
@testable import SikoCore

/// Keys are recognised from memory, and a change made anywhere still reaches them in time: the
/// other store below is what `siko keys revoke` or a second gateway on the same file would be.
@Suite("the key cache honours revocations, disabled people and expiry")
struct KeyCacheTests {
    let start = utc("2026-12-01T09:00:00Z")

    func otherProcess(_ fixture: TestGateway) throws -> SQLiteStore {
        try SQLiteStore(path: fixture.folder.file("siko.sqlite"), sealer: SecretSealer.keyFile(at: fixture.folder.file("siko.sqlite.key")))
    }

    @Test("a key revoked by another process is recognised until the next recheck, and refused from then on (within a second)")
    func revokedElsewhere() async throws {
        let clock = ManualClock(start)
        try await TestGateway.withGateway(clock: clock) { fixture in
            let issued = try await fixture.gateway.keys.issue(by: .operator, partner: "stadt-essen", scopes: ["events:publish"])
            #expect(try await fixture.gateway.authority.authenticate(issued.key)?.keyID == issued.record.id)
            _ = try await otherProcess(fixture).revokeKey(id: issued.record.id, at: start) { _ in AuditRecord.byTest(.keyRevoke, object: issued.record.id) }
            #expect(try await fixture.gateway.authority.authenticate(issued.key) != nil, "read from memory: the store was not asked")
            clock.advance(by: KeyCache.recheck)
            #expect(try await fixture.gateway.authority.authenticate(issued.key) == nil)
            #expect(KeyCache.recheck < 1)
        }
    }

    @Test("a person disabled by another process: their key is refused after the recheck")
    func personDisabledElsewhere() async throws {
        let clock = ManualClock(start)
        try await TestGateway.withGateway(clock: clock) { fixture in
            let key = try await fixture.key("stadt-essen", person: Person(userID: "", login: "lena.vogel", name: "Lena Vogel", roles: [.viewer], cleared: false), .deliveriesRead)
            let identity = try #require(try await fixture.gateway.authority.authenticate(key))
            let userID = try #require(identity.person?.userID)
            _ = try await otherProcess(fixture).disableUser(id: userID, at: start) { _ in [AuditRecord.byTest(.userDisable, object: userID)] }
            clock.advance(by: KeyCache.recheck)
            #expect(try await fixture.gateway.authority.authenticate(key) == nil)
        }
    }

    @Test("a role taken away elsewhere: the person's key loses the scopes after the recheck")
    func rolesChangedElsewhere() async throws {
        let clock = ManualClock(start)
        try await TestGateway.withGateway(clock: clock) { fixture in
            let key = try await fixture.key("stadt-essen", person: Person(userID: "", login: "jan.becker", name: "Jan Becker", roles: [.viewer], cleared: false), .deliveriesRead, .subscriptionsManage)
            #expect(try await fixture.gateway.authority.authenticate(key)?.has(.subscriptionsManage) == true)
            let userID = try #require(try await fixture.gateway.authority.authenticate(key)?.person?.userID)
            _ = try await otherProcess(fixture).updateUser(id: userID, change: { $0.roles = [.viewer] }) { changed in
                AuditRecord.byTest(.userRoles, object: changed.id)
            }
            clock.advance(by: KeyCache.recheck)
            let after = try #require(try await fixture.gateway.authority.authenticate(key))
            #expect(!after.has(.subscriptionsManage) && after.has(.deliveriesRead))
        }
    }

    @Test("in this process a revocation and a disabled person take effect at the very next request")
    func changedHere() async throws {
        let clock = ManualClock(start)
        try await TestGateway.withGateway(clock: clock) { fixture in
            let issued = try await fixture.gateway.keys.issue(by: .operator, partner: "stadt-essen", scopes: ["events:publish"])
            #expect(try await fixture.gateway.authority.authenticate(issued.key) != nil)
            _ = try await fixture.gateway.keys.revoke(by: .operator, id: issued.record.id)
            #expect(try await fixture.gateway.authority.authenticate(issued.key) == nil)

            let key = try await fixture.key("stadt-essen", person: Person(userID: "", login: "mia.krause", name: "Mia Krause", roles: [.viewer], cleared: false), .deliveriesRead)
            #expect(try await fixture.gateway.authority.authenticate(key) != nil)
            _ = try await fixture.gateway.users.disable("mia.krause", by: .operator)
            #expect(try await fixture.gateway.authority.authenticate(key) == nil)
        }
    }

    @Test("a cached key stops working the moment it expires")
    func expiry() async throws {
        let clock = ManualClock(start)
        try await TestGateway.withGateway(clock: clock) { fixture in
            let issued = try await fixture.gateway.keys.issue(partner: "stadt-essen", scopes: [.eventsPublish], expiresAt: start.addingTimeInterval(0.2))
            #expect(try await fixture.gateway.authority.authenticate(issued.key) != nil)
            clock.advance(by: 0.2)
            #expect(try await fixture.gateway.authority.authenticate(issued.key) == nil)
        }
    }

    @Test("last use and sign-in bookkeeping do not move the credential version; a revocation does")
    func versionMovesOnlyForCredentials() async throws {
        try await TestGateway.withGateway { fixture in
            let issued = try await fixture.gateway.keys.issue(by: .operator, partner: "stadt-essen", scopes: ["events:publish"])
            let before = try await fixture.store.credentialVersion()
            try await fixture.store.touchKey(id: issued.record.id, at: start)
            #expect(try await fixture.store.credentialVersion() == before)
            _ = try await fixture.gateway.keys.revoke(by: .operator, id: issued.record.id)
            #expect(try await fixture.store.credentialVersion() > before)
        }
    }
}
