import Foundation
import GRDB
import SikoCore
import SikoModel
import SikoSQLite
import SikoTestGateway
import SikoTestSupport
import Testing

/// Signing in to the console: passwords, the throttle kept in the store, TOTP, and what is audited.
@Suite("Sign-in: passwords, throttle, second factor")
struct SignInTests {
    let password = "richtig-langes-passwort"

    func trail(_ fixture: TestGateway) async throws -> [AuditRecord] {
        try await fixture.store.auditEntries(after: 0, limit: 1000, partner: nil).map(\.record)
    }

    @Test("the right password signs in, records the time and audits it; a wrong one, an unknown login and a disabled user are refused alike")
    func passwords() async throws {
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            let signIn = fixture.gateway.signIn
            let anna = try await fixture.user("anna.schmidt", of: "stadt-essen", .viewer)
            guard case .signedIn(let user) = try await signIn.signIn(login: "Anna.Schmidt", password: password, address: "10.1.1.1") else {
                Issue.record("the right password signs in"); return
            }
            #expect(user.id == anna.id && user.lastSignInAt == clock.now())
            #expect(try await fixture.store.user(id: anna.id)?.lastSignInAt == clock.now())
            #expect(try await trail(fixture).last.map { [$0.action, $0.actor, $0.object] } == ["user.sign-in", "console (anna.schmidt)", anna.id])

            #expect(try await signIn.signIn(login: "anna.schmidt", password: "falsches-passwort", address: "10.1.1.1") == .refused(wait: nil))
            #expect(try await signIn.signIn(login: "niemand", password: password, address: "10.1.1.1") == .refused(wait: nil))
            _ = try await fixture.gateway.users.disable(anna.login, by: .operator)
            #expect(try await signIn.signIn(login: "anna.schmidt", password: password, address: "10.1.1.2") == .refused(wait: nil),
                    "a disabled user is refused like a wrong password")
            #expect(try await !trail(fixture).contains { $0.action == "user.lockout" }, "single failures are counted, not audited")

            try await signIn.signOut(.signedIn(anna))
            #expect(try await trail(fixture).last.map { [$0.action, $0.actor] } == ["user.sign-out", "console (anna.schmidt)"])
        }
    }

    @Test("after 5 failures in 15 minutes the login waits 5 minutes, even with the right password, and the lock-out is audited once")
    func throttlePerLogin() async throws {
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            let signIn = fixture.gateway.signIn
            let anna = try await fixture.user("anna.schmidt", of: "stadt-essen", .viewer)
            for attempt in 1...4 {
                #expect(try await signIn.signIn(login: "anna.schmidt", password: "falsch-\(attempt)-xxxxxx", address: "10.0.0.\(attempt)") == .refused(wait: nil))
                clock.advance(by: 60)
            }
            #expect(try await signIn.signIn(login: "anna.schmidt", password: "falsch-5-xxxxxx", address: "10.0.0.5") == .refused(wait: .seconds(300)),
                    "the failure that starts the wait says how long")
            clock.advance(by: 60)
            #expect(try await signIn.signIn(login: "ANNA.SCHMIDT", password: password, address: "10.0.0.6") == .refused(wait: .seconds(240)),
                    "the right password waits too, in any case of the login, from another address")
            let lockouts = try await trail(fixture).filter { $0.action == "user.lockout" }
            #expect(lockouts.map(\.object) == [anna.id] && lockouts.first?.partner == "stadt-essen")
            clock.advance(by: 240)
            guard case .signedIn = try await signIn.signIn(login: "anna.schmidt", password: password, address: "10.0.0.6") else {
                Issue.record("the wait is over"); return
            }
            #expect(try await signIn.signIn(login: "anna.schmidt", password: "falsch-6-xxxxxx", address: "10.0.0.7") == .refused(wait: nil),
                    "a sign-in forgets the login's failures")
        }
    }

    @Test("after 5 failures from one address, that address waits, whatever the login; unknown logins leave no trace in the audit")
    func throttlePerAddress() async throws {
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            let signIn = fixture.gateway.signIn
            try await fixture.user("anna.schmidt", of: "stadt-essen", .viewer)
            for attempt in 1...4 {
                #expect(try await signIn.signIn(login: "geraten\(attempt)", password: "whatever-whatever", address: "203.0.113.9") == .refused(wait: nil))
            }
            #expect(try await signIn.signIn(login: "geraten5", password: "whatever-whatever", address: "203.0.113.9") == .refused(wait: .seconds(300)))
            #expect(try await signIn.signIn(login: "anna.schmidt", password: password, address: "203.0.113.9") == .refused(wait: .seconds(300)))
            guard case .signedIn = try await signIn.signIn(login: "anna.schmidt", password: password, address: "198.51.100.1") else {
                Issue.record("another address is not held up"); return
            }
            let lockouts = try await trail(fixture).filter { $0.action == "user.lockout" }
            #expect(lockouts.map(\.object) == ["203.0.113.9"], "the address, never a typed login")
            #expect(!lockouts.contains { $0.detail?.contains("geraten") == true })
        }
    }

    @Test("with TOTP set up the password alone asks for the code; a right code signs in once, a wrong or reused one is refused")
    func secondFactor() async throws {
        let clock = ManualClock(utc("2026-11-25T10:00:10Z"))
        try await TestGateway.withGateway(clock: clock) { fixture in
            let signIn = fixture.gateway.signIn
            try await fixture.user("anna.schmidt", of: "stadt-essen", .viewer)
            let enrolment = try await fixture.gateway.users.enrolSecondFactor("anna.schmidt", by: .operator)
            #expect(enrolment.uri.hasPrefix("otpauth://totp/SiKo%20Gateway:anna.schmidt?secret="))
            #expect(enrolment.uri.hasSuffix("&issuer=SiKo%20Gateway"))
            let secret = try #require(try await fixture.store.user(id: enrolment.user.id)?.totpSecret)

            guard case .secondFactorNeeded(let challenge, false) = try await signIn.signIn(login: "anna.schmidt", password: password, address: nil) else {
                Issue.record("the code is asked for"); return
            }
            let code = SecondFactor.code(secret: secret, at: clock.now())
            let wrong = String(format: "%06d", (Int(code)! + 500_000) % 1_000_000)
            #expect(try await signIn.continueSignIn(challenge: challenge, code: wrong, address: nil)
                    == .secondFactorNeeded(challenge: challenge, codeRejected: true))
            guard case .signedIn(let user) = try await signIn.continueSignIn(challenge: challenge, code: code, address: nil) else {
                Issue.record("the right code signs in"); return
            }
            #expect(user.totpLastStep == Int64(clock.now().timeIntervalSince1970) / 30)
            #expect(try await trail(fixture).last?.detail == "password and TOTP")

            guard case .secondFactorNeeded(_, true) = try await signIn.signIn(login: "anna.schmidt", password: password, code: code, address: nil) else {
                Issue.record("a code counts once"); return
            }
            clock.advance(by: 30)
            let late = SecondFactor.code(secret: secret, at: clock.now().addingTimeInterval(30))
            guard case .signedIn = try await signIn.signIn(login: "anna.schmidt", password: password, code: late, address: nil) else {
                Issue.record("the next step's code is accepted (a clock a little ahead)"); return
            }
            clock.advance(by: 30)
            let current = SecondFactor.code(secret: secret, at: clock.now())
            guard case .secondFactorNeeded(_, true) = try await signIn.signIn(login: "anna.schmidt", password: password, code: current, address: nil) else {
                Issue.record("a step before the last one used is refused"); return
            }
            clock.advance(by: 90)
            let stale = SecondFactor.code(secret: secret, at: clock.now().addingTimeInterval(-60))
            guard case .secondFactorNeeded(_, true) = try await signIn.signIn(login: "anna.schmidt", password: password, code: stale, address: nil) else {
                Issue.record("two steps behind is too old"); return
            }
            let forged = String(challenge.dropLast()) + (challenge.hasSuffix("0") ? "1" : "0")
            #expect(try await signIn.continueSignIn(challenge: forged, code: current, address: nil) == .refused(wait: nil), "a forged challenge is refused")
        }
    }

    @Test("with --require-totp admin an admin without TOTP sets one up at sign-in and signs in with its first code; the challenge expires")
    func requiredSetup() async throws {
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await TestGateway.withGateway(clock: clock, signInPolicy: SignInPolicy(requireSecondFactor: [.admin])) { fixture in
            let signIn = fixture.gateway.signIn
            try await fixture.user("admin.gs", of: Identity.centralOffice, .admin)
            try await fixture.user("vera", of: "stadt-essen", .viewer)
            guard case .signedIn = try await signIn.signIn(login: "vera", password: password, address: nil) else {
                Issue.record("a viewer needs none"); return
            }
            guard case .secondFactorSetupRequired(let challenge) = try await signIn.signIn(login: "admin.gs", password: password, address: nil) else {
                Issue.record("an admin must set one up first"); return
            }
            #expect(try await signIn.continueSignIn(challenge: challenge, code: "123456", address: nil) == .refused(wait: nil), "none set up yet")
            let enrolment = try #require(try await signIn.enrolSecondFactor(challenge: challenge))
            #expect(try await signIn.enrolSecondFactor(challenge: challenge) == nil, "once only: it cannot be replaced this way")
            let secret = try #require(try await fixture.store.user(id: enrolment.user.id)?.totpSecret)
            guard case .signedIn = try await signIn.continueSignIn(challenge: challenge, code: SecondFactor.code(secret: secret, at: clock.now()), address: nil) else {
                Issue.record("the first code signs in"); return
            }
            guard case .secondFactorNeeded(let next, false) = try await signIn.signIn(login: "admin.gs", password: password, address: nil) else {
                Issue.record("from now on the code is asked for"); return
            }
            clock.advance(by: 301)
            #expect(try await signIn.continueSignIn(challenge: next, code: SecondFactor.code(secret: secret, at: clock.now()), address: nil) == .refused(wait: nil),
                    "a challenge lasts 5 minutes")
        }
    }

    @Test("the TOTP secret is sealed at rest")
    func sealedSecret() async throws {
        try await TestGateway.withGateway { fixture in
            try await fixture.user("anna.schmidt", of: "stadt-essen", .viewer)
            let enrolment = try await fixture.gateway.users.enrolSecondFactor("anna.schmidt", by: .operator)
            let queue = try DatabaseQueue(path: fixture.folder.file("siko.sqlite"))
            let stored = try await queue.read { db in
                try String.fetchOne(db, sql: "SELECT totp_secret FROM user_account WHERE id = ?", arguments: [enrolment.user.id])
            }
            try queue.close()
            #expect(stored?.hasPrefix("sealed:v1:") == true)
            #expect(try await fixture.store.user(id: enrolment.user.id)?.totpSecret.map { enrolment.uri.contains($0) } == false,
                    "the URI carries it base32-encoded, the store opens it for the code check")
        }
    }
}
