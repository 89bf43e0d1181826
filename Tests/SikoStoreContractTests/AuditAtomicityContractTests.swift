import Foundation
import SikoModel
import Testing

/// Issue 13's must-show: a change and its audit entry commit together or not at all. Each test sets
/// up, makes the engine refuse audit appends, does one write and reads back through the roles: the
/// write must throw and leave nothing of its change. An engine that wrote the entry in a second
/// transaction would throw too, but leave the change behind.
@Suite("Store contract: no change without its audit entry")
struct AuditAtomicityContractTests {
    /// Runs `write` with the audit refused: it must throw, and the trail must be as before.
    func refused(_ fixture: EngineFixture, _ write: () async throws -> Void) async throws {
        let before = try await fixture.store.trail()
        try await fixture.refuseAudit()
        await #expect(throws: (any Error).self, "the write fails with its audit entry") { try await write() }
        #expect(try await fixture.store.trail() == before)
    }

    @Test("the hook refuses only the audit: writes that audit nothing still go through", arguments: StoreEngine.allCases)
    func onlyTheAudit(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            try await fixture.refuseAudit()
            let job = try #require(try await store.claim(at: t0).first)
            try await store.finish(job, .delivered, at: t0)
            #expect(try await store.status(published.deliveryIds[0]) == .delivered)
            #expect(try await store.rememberSignedRequest(keyID: "siko_a", requestID: "msg_1", signedAt: t0, forgetBefore: t0.plus(-300)))
            await #expect(throws: (any Error).self) { try await store.appendAudit([record(.keyCreate, "siko_x")]) }
        }
    }

    @Test("insertKey", arguments: StoreEngine.allCases)
    func insertKey(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let key = StoredKey(id: "siko_abcdefghij", partner: "stadt-essen", hash: "hash-1", scopes: [.admin], createdAt: t0)
            try await refused(fixture) { try await store.insertKey(key, audit: record(.keyCreate, key.id)) }
            #expect(try await store.key(hash: key.hash) == nil, "no key that nobody issued on record")
            #expect(try await store.keys(partner: nil).isEmpty)
        }
    }

    @Test("revokeKey", arguments: StoreEngine.allCases)
    func revokeKey(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let key = StoredKey(id: "siko_abcdefghij", partner: "stadt-essen", hash: "hash-1", scopes: [.admin], createdAt: t0)
            try await store.insertKey(key, audit: record(.keyCreate, key.id))
            try await refused(fixture) { _ = try await store.revokeKey(id: key.id, at: t0.plus(1)) { record(.keyRevoke, $0.id) } }
            #expect(try await store.key(hash: key.hash)?.revokedAt == nil, "the key still works, as nobody revoked it on record")
        }
    }

    @Test("insertSubscription", arguments: StoreEngine.allCases)
    func insertSubscription(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await refused(fixture) {
                _ = try await store.insertSubscription(hook, secret: "whsec_x", maxPerPartner: .max, audit: record(.subscriptionCreate, hook.id))
            }
            #expect(try await store.subscription(id: hook.id) == nil)
            #expect(try await store.subscriptionCount(partner: hook.partner) == 0)
            #expect(try await store.activeSubscriptions().isEmpty)
        }
    }

    @Test("updateSubscription, with the review's decisions", arguments: StoreEngine.allCases)
    func updateSubscription(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let open = try await store.publish([.to(hook, due: t0.plus(60))])
            var changed = hook
            changed.target = "https://new.example/hook"
            try await refused(fixture) {
                _ = try await store.updateSubscription(changed, from: hook, review: { candidates in
                    candidates.map { .suppress(deliveryId: $0.delivery.id, reason: "no longer matches") }
                }, audit: record(.subscriptionUpdate, hook.id))
            }
            #expect(try await store.subscription(id: hook.id) == hook)
            #expect(try await store.status(open.deliveryIds[0]) == .pending)
        }
    }

    @Test("deleteSubscription", arguments: StoreEngine.allCases)
    func deleteSubscription(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let open = try await store.publish([.to(hook)])
            try await refused(fixture) { try await store.deleteSubscription(id: hook.id, at: t0.plus(1), audit: record(.subscriptionDelete, hook.id)) }
            #expect(try await store.subscription(id: hook.id) == hook)
            #expect(try await store.status(open.deliveryIds[0]) == .pending)
            #expect(try await store.claim(at: t0).count == 1, "its delivery still goes out")
        }
    }

    @Test("disableIfFailing", arguments: StoreEngine.allCases)
    func disableIfFailing(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            try await store.publish([.to(hook)])
            _ = try await store.sendAll(.retry(after: nil, reason: "HTTP 503"), at: t0)
            let open = try await store.publish([.to(hook, due: t0.plus(600))], at: t0.plus(1))
            try await refused(fixture) {
                _ = try await store.disableIfFailing(subscriptionID: hook.id, since: t0, reason: "failing for 5 days", at: t0.plus(2), audit: record(.subscriptionDisable, hook.id))
            }
            #expect(try await store.subscription(id: hook.id)?.enabled == true)
            #expect(try await store.status(open.deliveryIds[0]) == .pending)
        }
    }

    @Test("publish", arguments: StoreEngine.allCases)
    func publish(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let request = publishRequest([.to(hook)], externalId: "x-1")
            try await refused(fixture) { _ = try await store.publish(request) }
            #expect(try await store.event(id: request.event.id) == nil)
            #expect(try await store.delivery(id: request.deliveries[0].id) == nil)
            #expect(try await store.claim(at: t0).isEmpty, "nothing is sent for an event that was not accepted")
        }
    }

    @Test("requeue of one delivery", arguments: StoreEngine.allCases)
    func requeueOne(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            _ = try await store.sendAll(.permanent(reason: "HTTP 400"), at: t0)
            let id = published.deliveryIds[0]
            try await refused(fixture) { _ = try await store.requeue(deliveryID: id, at: t0.plus(1), audit: record(.deliveryRetry, id)) }
            #expect(try await store.status(id) == .dead)
            #expect(try await store.claim(at: t0.plus(1)).isEmpty)
        }
    }

    @Test("requeue in bulk", arguments: StoreEngine.allCases)
    func requeueBulk(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook), .to(hook), .to(hook)])
            _ = try await store.sendAll(.permanent(reason: "HTTP 400"), at: t0)
            try await refused(fixture) {
                _ = try await store.requeue(matching: DeliveryQuery(status: .dead), at: t0.plus(1), audit: { record(.deliveriesRetry, "dead", detail: "\($0)") })
            }
            for id in published.deliveryIds { #expect(try await store.status(id) == .dead) }
        }
    }

    @Test("purge", arguments: StoreEngine.allCases)
    func purge(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let old = t0.plus(-40 * day)
            let hook = subscription("sub_hook", at: old), gone = subscription("sub_gone", at: old)
            try await store.add(hook, gone)
            try await store.deleteSubscription(id: gone.id, at: old, audit: record(.subscriptionDelete, gone.id, at: old))
            let published = try await store.publish([.to(hook)], at: old)
            _ = try await store.sendAll(.delivered, at: old)
            try await refused(fixture) {
                _ = try await store.purge(before: t0.plus(-30 * day), at: t0) { record(.dataPurge, "before", detail: "\($0.events)") }
            }
            let event = try #require(try await store.event(id: published.eventId))
            #expect(event.title == "Kontrolle am Hauptbahnhof" && event.purgedAt == nil)
            #expect(try await store.delivery(id: published.deliveryIds[0])?.target == hook.target)
            // The deleted subscription's target cannot be read through the roles: once the audit
            // works again, the purge still finds everything, so nothing went unaudited before.
            try await fixture.allowAudit()
            let counts = try await store.purge(before: t0.plus(-30 * day), at: t0) { record(.dataPurge, "before", detail: "\($0.events)") }
            #expect(counts.figures == [1, 1, 1])
        }
    }

    @Test("complete with a result that disables its subscription (410)", arguments: StoreEngine.allCases)
    func completeGone(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let published = try await store.publish([.to(hook)])
            let open = try await store.publish([.to(hook, due: t0.plus(600))], at: t0.plus(1))
            let job = try #require(try await store.claim(at: t0).first)
            try await refused(fixture) {
                try await store.finish(job, .gone(reason: "HTTP 410 Gone"), at: t0.plus(2), code: 410, audit: record(.subscriptionDisable, hook.id))
            }
            #expect(try await store.subscription(id: hook.id)?.enabled == true)
            #expect(try await store.activeSubscriptions().map(\.id) == [hook.id])
            #expect(try await store.status(open.deliveryIds[0]) == .pending)
            #expect(try await store.status(published.deliveryIds[0]) == .sending, "still leased, to be tried again once the lease ends")
        }
    }
    @Test("insertUser", arguments: StoreEngine.allCases)
    func insertUser(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt")
            try await refused(fixture) { _ = try await store.insertUser(anna, audit: record(.userCreate, anna.id)) }
            #expect(try await store.user(id: anna.id) == nil)
            #expect(try await store.userCount() == 0)
        }
    }

    @Test("updateUser", arguments: StoreEngine.allCases)
    func updateUser(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt")
            _ = try await store.insertUser(anna, audit: record(.userCreate, anna.id))
            try await refused(fixture) {
                _ = try await store.updateUser(id: anna.id, change: { $0.roles = [.admin] }, audit: { record(.userRoles, $0.id) })
            }
            #expect(try await store.user(id: anna.id)?.roles == [.viewer])
        }
    }

    @Test("disableUser, with the keys and sessions it ends", arguments: StoreEngine.allCases)
    func disableUser(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt")
            _ = try await store.insertUser(anna, audit: record(.userCreate, anna.id))
            let key = StoredKey(id: "siko_anna", partner: "stadt-essen", hash: "hash-anna", scopes: [.deliveriesRead], createdAt: t0, userID: anna.id)
            try await store.insertKey(key, audit: record(.keyCreate, key.id))
            _ = try await store.setSession(idHash: "s1", userID: anna.id, value: [], at: t0, onlyNew: true) { _, _ in t0.plus(1800) }
            try await refused(fixture) { _ = try await store.disableUser(id: anna.id, at: t0.plus(1)) { [record(.userDisable, $0.user.id)] } }
            #expect(try await store.user(id: anna.id)?.isDisabled == false)
            #expect(try await store.key(hash: key.hash)?.revokedAt == nil)
            #expect(try await store.session(idHash: "s1") != nil)
        }
    }

    @Test("recordSignIn and a failure that locks out", arguments: StoreEngine.allCases)
    func signIn(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let anna = user("anna.schmidt")
            _ = try await store.insertUser(anna, audit: record(.userCreate, anna.id))
            try await refused(fixture) {
                _ = try await store.recordSignIn(userID: anna.id, totpStep: 7, at: t0.plus(1), clearing: "login:a", audit: record(.signIn, anna.id))
            }
            let unchanged = try await store.user(id: anna.id)
            #expect(unchanged?.lastSignInAt == nil && unchanged?.totpLastStep == nil)
            try await fixture.allowAudit()
            try await refused(fixture) {
                _ = try await store.recordSignInFailure(subjects: ["login:a"], at: t0, since: t0.plus(-60)) { _ in [record(.signInLockout, anna.id)] }
            }
            #expect(try await store.signInFailures(subjects: ["login:a"], since: t0.plus(-60)).isEmpty)
        }
    }
}
