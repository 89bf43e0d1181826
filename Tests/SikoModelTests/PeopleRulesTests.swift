import Foundation
import SikoModel
import Testing

/// The pure rules of people and sign-in: the throttle, session lifetimes, what roles may do, what
/// logins and passwords must be.
@Suite("People rules")
struct PeopleRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let throttle = SignInThrottle.standard

    func ago(_ seconds: Double) -> Date { now.addingTimeInterval(-seconds) }

    @Test("four failures in 15 minutes are free; the fifth makes the next attempt wait 5 minutes from it")
    func throttleStarts() {
        let four = (0..<4).map { ago(Double($0) * 60) }
        #expect(throttle.wait(after: four, at: now) == nil)
        let five = four + [now]
        #expect(throttle.wait(after: five, at: now) == .seconds(300))
        #expect(throttle.wait(after: five, at: now.addingTimeInterval(120)) == .seconds(180), "the wait counts down")
        #expect(throttle.wait(after: five, at: now.addingTimeInterval(300)) == nil, "and ends")
        #expect(throttle.wait(after: five, at: now.addingTimeInterval(299.2)) == .seconds(1), "rounded up, never ending early")
    }

    @Test("failures spread over more than 15 minutes never make anyone wait")
    func throttleWindow() {
        let spread = (0..<10).map { ago(Double($0) * 240) }
        #expect(throttle.wait(after: spread, at: now) == nil)
    }

    @Test("each further failure in the window doubles the wait, up to 15 minutes")
    func throttleGrows() {
        let five = (0..<5).map { ago(600 + Double($0)) }
        let sixth = five + [ago(0)]
        #expect(throttle.wait(after: sixth, at: now) == .seconds(600))
        let seventh = sixth + [now]
        #expect(throttle.wait(after: seventh, at: now) == .seconds(900))
        let many = seventh + (0..<10).map { _ in now }
        #expect(throttle.wait(after: many, at: now) == .seconds(900), "never past longestWait")
    }

    @Test("a wait does not end early when the failures that started it leave the window")
    func throttleHolds() {
        // The fifth failure comes at 14 minutes: its wait runs to 19, past the first failure's window.
        let failures = [ago(14 * 60), ago(13 * 60), ago(12 * 60), ago(11 * 60), now]
        #expect(throttle.wait(after: failures, at: now.addingTimeInterval(90)) == .seconds(210))
        #expect(throttle.relevantSince(now) <= ago(14 * 60), "the store is asked for every failure the wait needs")
    }

    @Test("a session ends 30 minutes after its last use and 12 hours after it began, whichever comes first")
    func lifetime() {
        let lifetime = SessionLifetime.standard
        #expect(lifetime.expiry(createdAt: now, usedAt: now) == now.addingTimeInterval(1800))
        #expect(lifetime.expiry(createdAt: now, usedAt: now, requested: .seconds(12 * 3600)) == now.addingTimeInterval(1800),
                "Hummingbird's 12-hour default cannot stretch the idle expiry")
        #expect(lifetime.expiry(createdAt: now, usedAt: now, requested: .seconds(60)) == now.addingTimeInterval(60))
        let late = now.addingTimeInterval(11.9 * 3600)
        #expect(lifetime.expiry(createdAt: now, usedAt: late) == now.addingTimeInterval(12 * 3600), "capped at the absolute end")
        #expect(lifetime.isLive(createdAt: now, expiresAt: now.addingTimeInterval(1800), at: now.addingTimeInterval(1799)))
        #expect(!lifetime.isLive(createdAt: now, expiresAt: now.addingTimeInterval(1800), at: now.addingTimeInterval(1800)))
        #expect(!lifetime.isLive(createdAt: now, expiresAt: now.addingTimeInterval(13 * 3600), at: now.addingTimeInterval(12 * 3600)),
                "an expiry written past the end does not outlive it")
    }

    @Test("a use renews the expiry only when that gains more than a minute")
    func renewal() {
        let lifetime = SessionLifetime.standard
        let expires = now.addingTimeInterval(1800)
        #expect(lifetime.renewal(createdAt: now, expiresAt: expires, usedAt: now.addingTimeInterval(30)) == nil)
        #expect(lifetime.renewal(createdAt: now, expiresAt: expires, usedAt: now.addingTimeInterval(61)) == now.addingTimeInterval(1861))
        let nearEnd = now.addingTimeInterval(12 * 3600 - 600)
        #expect(lifetime.renewal(createdAt: now, expiresAt: now.addingTimeInterval(12 * 3600), usedAt: nearEnd) == nil, "nothing past the end")
    }

    @Test("roles map to scopes: each reads, editors manage subscriptions and (at the Geschäftsstelle) write bulletins")
    func roleScopes() {
        let viewer = Role.scopes(for: [.viewer], atCentralOffice: false)
        #expect(viewer == [.deliveriesRead, .subscriptionsRead])
        #expect(!viewer.contains(.subscriptionsManage) && !viewer.contains(.deliveriesRetry), "a viewer changes nothing")
        #expect(Role.scopes(for: [.editor], atCentralOffice: false) == [.deliveriesRead, .subscriptionsRead, .subscriptionsManage, .deliveriesRetry])
        #expect(Role.scopes(for: [.editor], atCentralOffice: true).contains(.bulletinsSend))
        #expect(!Role.scopes(for: [.editor], atCentralOffice: false).contains(.bulletinsSend), "only the Geschäftsstelle writes bulletins")
        #expect(Role.scopes(for: [.approver], atCentralOffice: true).contains(.bulletinsApprove))
        #expect(Role.scopes(for: [], atCentralOffice: true).isEmpty)
    }

    @Test("an admin of the Geschäftsstelle gets admin; an admin of another partner only partner:admin")
    func adminScopes() {
        #expect(Role.scopes(for: [.admin], atCentralOffice: true).contains(.admin))
        let partnerAdmin = Role.scopes(for: [.admin], atCentralOffice: false)
        #expect(partnerAdmin.contains(.partnerAdmin) && !partnerAdmin.contains(.admin))
        for roles in [[Role.admin], [.admin, .editor, .approver, .viewer]] {
            for central in [true, false] {
                #expect(!Role.scopes(for: Set(roles), atCentralOffice: central).contains(.eventsPublishDirect), "never for a person")
            }
        }
    }

    @Test("a key's deliveries:read still retries, as it always did; subscriptions:manage implies reading them")
    func keyScopes() {
        #expect(Scope.ofKey([.deliveriesRead]) == [.deliveriesRead, .deliveriesRetry])
        #expect(Scope.ofKey([.eventsPublish]) == [.eventsPublish])
        #expect(Scope.subscriptionsManage.implied == [.subscriptionsRead])
    }

    @Test("logins are lowercase slugs, compared without case; ids and odd characters are refused")
    func logins() {
        #expect(UserRules.normalizedLogin(" Anna.Schmidt ") == "anna.schmidt")
        for good in ["anna.schmidt", "a1", "max-mustermann", "lagedienst_essen"] { #expect(UserRules.loginProblem(good) == nil, "\(good)") }
        for bad in ["a", ".anna", "anna.", "anna schmidt", "änne", "anna@essen", "usr_123", String(repeating: "a", count: 65), ""] {
            #expect(UserRules.loginProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("a password has 12 characters at least, at most 72 bytes and no NUL, and the message says so in German")
    func passwords() {
        #expect(UserRules.passwordProblem("kurz")?.de == "muss mindestens 12 Zeichen lang sein")
        #expect(UserRules.passwordProblem("kurz")?.en == "must be at least 12 characters long")
        #expect(UserRules.passwordProblem("zwölf-zeichen") == nil)
        #expect(UserRules.passwordProblem(String(repeating: "x", count: 73)) != nil, "bcrypt would cut it silently")
        #expect(UserRules.passwordProblem("richtig-lang\u{0}x") != nil)
    }

    @Test("roles are parsed with every unknown one named; none at all is refused")
    func roles() throws {
        #expect(try UserRules.roles(["viewer", "Editor"]).get() == [.viewer, .editor])
        guard case .failure(let failure) = UserRules.roles(["viewer", "chef"]) else { Issue.record("chef is no role"); return }
        #expect(failure.errors.map(\.field) == ["roles[1]"])
        guard case .failure(let none) = UserRules.roles([]) else { Issue.record("no role at all"); return }
        #expect(none.errors.map(\.field) == ["roles"])
    }
}
