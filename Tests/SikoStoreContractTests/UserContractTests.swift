import Foundation
import SikoModel
import Testing

func user(_ login: String, partner: String = "stadt-essen", roles: Set<Role> = [.viewer], totp: String? = nil, at date: Date = t0) -> User {
    User(
        id: "usr_" + login.replacingOccurrences(of: ".", with: ""), partner: partner, login: login, name: "Person \(login)", roles: roles,
        passwordHash: "$2b$04$hash-of-\(login)", totpSecret: totp, createdAt: date
    )
}

@Suite("Store contract: users, sign-ins, sessions")
struct UserContractTests {
    @Test("a user is stored with their TOTP secret opened, found by id and login, listed by login; a taken login writes nothing",
          arguments: StoreEngine.allCases)
    func users(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt", roles: [.admin, .editor], totp: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
            let ben = user("ben", partner: "stadt-bochum")
            #expect(try await store.insertUser(anna, audit: record(.userCreate, anna.id)))
            #expect(try await store.insertUser(ben, audit: record(.userCreate, ben.id, partner: "stadt-bochum")))
            #expect(try await store.user(id: anna.id) == anna)
            #expect(try await store.user(login: "anna.schmidt") == anna)
            #expect(try await store.user(login: "nobody") == nil)
            #expect(try await store.users(partner: nil).map(\.login) == ["anna.schmidt", "ben"])
            #expect(try await store.users(partner: "stadt-bochum").map(\.id) == [ben.id])
            #expect(try await store.userCount() == 2)

            let before = try await store.trail().count
            var twin = user("anna.schmidt", partner: "stadt-bochum")
            twin.id = "usr_twin"
            #expect(try await !store.insertUser(twin, audit: record(.userCreate, twin.id)), "the login is taken")
            #expect(try await store.user(id: twin.id) == nil)
            #expect(try await store.trail().count == before)
        }
    }

    @Test("an update applies to the user as stored, with its audit entry; a change that throws writes nothing", arguments: StoreEngine.allCases)
    func updates(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt")
            _ = try await store.insertUser(anna, audit: record(.userCreate, anna.id))
            let changed = try await store.updateUser(id: anna.id, change: { user in
                user.roles = [.editor]
                user.cleared = true
                user.totpSecret = "NEWSECRETNEWSECRETNEWSECRETNEWSE"
            }, audit: { user in record(.userRoles, user.id, detail: user.roles.map(\.rawValue).joined()) })
            #expect(changed?.roles == [.editor] && changed?.cleared == true)
            #expect(try await store.user(id: anna.id) == changed)
            #expect(try await store.trail().last?.record == record(.userRoles, anna.id, detail: "editor"), "built from the changed user")

            struct Refused: Error {}
            let before = try await store.trail().count
            await #expect(throws: Refused.self) {
                _ = try await store.updateUser(id: anna.id, change: { user in
                    user.cleared = false
                    throw Refused()
                }, audit: { record(.userClearance, $0.id) })
            }
            #expect(try await store.user(id: anna.id)?.cleared == true)
            #expect(try await store.trail().count == before)
            #expect(try await store.updateUser(id: "usr_none", change: { $0.cleared = true }, audit: { record(.userClearance, $0.id) }) == nil)
        }
    }

    @Test("disabling revokes the user's keys and ends their sessions, in one step with its entries; others' stay", arguments: StoreEngine.allCases)
    func disabling(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt"), ben = user("ben")
            for person in [anna, ben] { _ = try await store.insertUser(person, audit: record(.userCreate, person.id)) }
            let annasKey = StoredKey(id: "siko_anna", partner: "stadt-essen", hash: "hash-anna", scopes: [.deliveriesRead], createdAt: t0, userID: anna.id)
            let bensKey = StoredKey(id: "siko_ben", partner: "stadt-essen", hash: "hash-ben", scopes: [.deliveriesRead], createdAt: t0, userID: ben.id)
            let systemKey = StoredKey(id: "siko_system", partner: "stadt-essen", hash: "hash-system", scopes: [.eventsPublish], createdAt: t0)
            for key in [annasKey, bensKey, systemKey] { try await store.insertKey(key, audit: record(.keyCreate, key.id)) }
            #expect(try await store.key(hash: annasKey.hash)?.userID == anna.id)
            for (id, owner) in [("a1", anna.id), ("a2", anna.id), ("b1", ben.id)] {
                _ = try await store.setSession(idHash: id, userID: owner, value: [1], at: t0, onlyNew: true) { _, _ in t0.plus(1800) }
            }

            let done = try #require(try await store.disableUser(id: anna.id, at: t0.plus(10)) { done in
                [record(.userDisable, done.user.id, detail: "\(done.revokedKeys.count) \(done.endedSessions)", at: t0.plus(10))]
            })
            #expect(done.user.disabledAt == t0.plus(10))
            #expect(done.revokedKeys.map(\.id) == [annasKey.id] && done.revokedKeys[0].revokedAt == t0.plus(10))
            #expect(done.endedSessions == 2)
            #expect(try await store.trail().last?.record == record(.userDisable, anna.id, detail: "1 2", at: t0.plus(10)))
            #expect(try await store.user(id: anna.id)?.isDisabled == true)
            #expect(try await store.key(hash: annasKey.hash)?.revokedAt == t0.plus(10))
            #expect(try await store.key(hash: bensKey.hash)?.revokedAt == nil)
            #expect(try await store.key(hash: systemKey.hash)?.revokedAt == nil)
            #expect(try await store.session(idHash: "a1") == nil)
            #expect(try await store.session(idHash: "a2") == nil)
            #expect(try await store.session(idHash: "b1") != nil)

            let again = try await store.disableUser(id: anna.id, at: t0.plus(20)) { _ in [] }
            #expect(again?.user.disabledAt == t0.plus(10), "the first time stays")
            #expect(try await store.disableUser(id: "usr_none", at: t0) { _ in [record(.userDisable, "x")] } == nil)
        }
    }

    @Test("a sign-in is recorded once per TOTP step, and forgets its login's failures", arguments: StoreEngine.allCases)
    func signIns(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt", totp: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
            _ = try await store.insertUser(anna, audit: record(.userCreate, anna.id))
            let since = t0.plus(-3600)
            let failures = try await store.recordSignInFailure(subjects: ["login:anna", "address:10.0.0.1"], at: t0, since: since) { failures in
                [record(.signInLockout, "count", detail: "\(failures["login:anna"]?.count ?? 0)")]
            }
            #expect(failures == ["login:anna": [t0], "address:10.0.0.1": [t0]])
            #expect(try await store.trail().last?.record == record(.signInLockout, "count", detail: "1"), "the entry sees this failure")
            _ = try await store.recordSignInFailure(subjects: ["login:anna"], at: t0.plus(1), since: since) { _ in [] }
            #expect(try await store.signInFailures(subjects: ["login:anna", "login:other"], since: since) == ["login:anna": [t0, t0.plus(1)]])
            #expect(try await store.signInFailures(subjects: ["login:anna"], since: t0.plus(0.5)) == ["login:anna": [t0.plus(1)]])

            #expect(try await store.recordSignIn(userID: anna.id, totpStep: 100, at: t0.plus(2), clearing: "login:anna", audit: record(.signIn, anna.id)))
            #expect(try await store.user(id: anna.id)?.lastSignInAt == t0.plus(2))
            #expect(try await store.user(id: anna.id)?.totpLastStep == 100)
            #expect(try await store.signInFailures(subjects: ["login:anna", "address:10.0.0.1"], since: since) == ["address:10.0.0.1": [t0]],
                    "the login's failures are forgotten, the address's kept")
            let before = try await store.trail().count
            #expect(try await !store.recordSignIn(userID: anna.id, totpStep: 100, at: t0.plus(3), clearing: "login:anna", audit: record(.signIn, anna.id)),
                    "the same step again is a reuse")
            #expect(try await !store.recordSignIn(userID: anna.id, totpStep: 99, at: t0.plus(3), clearing: "login:anna", audit: record(.signIn, anna.id)))
            #expect(try await store.trail().count == before)
            #expect(try await store.user(id: anna.id)?.lastSignInAt == t0.plus(2))
            #expect(try await store.recordSignIn(userID: anna.id, totpStep: 101, at: t0.plus(4), clearing: "login:anna", audit: record(.signIn, anna.id)))
            #expect(try await store.recordSignIn(userID: anna.id, totpStep: nil, at: t0.plus(5), clearing: "login:anna", audit: record(.signIn, anna.id)))
            #expect(try await store.user(id: anna.id)?.totpLastStep == 101, "a sign-in without a code keeps the last step")

            try await store.forgetSignInFailures(before: t0.plus(1))
            #expect(try await store.signInFailures(subjects: ["address:10.0.0.1"], since: since).isEmpty)
        }
    }

    @Test("a session keeps when it began, takes the expiry its writer decides, is renewed, removed and purged", arguments: StoreEngine.allCases)
    func sessions(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            // Each writer answers a telling expiry only when it saw what it should.
            #expect(try await store.setSession(idHash: "h1", userID: "usr_a", value: [1, 2], at: t0, onlyNew: true) { created, stored in
                created == t0 && stored == nil ? t0.plus(1800) : t0
            })
            #expect(try await !store.setSession(idHash: "h1", userID: "usr_a", value: [9], at: t0.plus(5), onlyNew: true) { _, _ in t0 },
                    "onlyNew leaves an existing session alone")
            #expect(try await store.session(idHash: "h1") == StoredSession(idHash: "h1", userID: "usr_a", value: [1, 2], createdAt: t0, expiresAt: t0.plus(1800)))
            #expect(try await store.setSession(idHash: "h1", userID: "usr_a", value: [3], at: t0.plus(60), onlyNew: false) { created, stored in
                created == t0 && stored == t0.plus(1800) ? t0.plus(1860) : t0
            })
            #expect(try await store.session(idHash: "h1")?.expiresAt == t0.plus(1860), "the writer saw when it began and its expiry")
            #expect(try await store.session(idHash: "h1")?.createdAt == t0)
            #expect(try await store.session(idHash: "h1")?.value == [3])
            try await store.renewSession(idHash: "h1", expiresAt: t0.plus(2000))
            #expect(try await store.session(idHash: "h1")?.expiresAt == t0.plus(2000))

            _ = try await store.setSession(idHash: "h2", userID: nil, value: [], at: t0, onlyNew: false) { _, _ in t0.plus(10) }
            _ = try await store.setSession(idHash: "h3", userID: "usr_b", value: [], at: t0.plus(-13 * 3600), onlyNew: false) { _, _ in t0.plus(5000) }
            #expect(try await store.purgeSessions(expiredBefore: t0.plus(100), createdBefore: t0.plus(-12 * 3600)) == 2)
            #expect(try await store.session(idHash: "h1") != nil)
            #expect(try await store.removeSessions(userID: "usr_a") == 1)
            _ = try await store.setSession(idHash: "h4", userID: nil, value: [], at: t0, onlyNew: false) { _, _ in t0.plus(10) }
            try await store.removeSession(idHash: "h4")
            #expect(try await store.session(idHash: "h4") == nil)
            #expect(try await store.trail().isEmpty, "sessions are bookkeeping, not audited")
        }
    }
}
