import Crypto
import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import SikoConsole
import SikoCore
import SikoModel
import SikoSQLite
import SikoTestSupport
import Testing

/// Console sessions in the store: Hummingbird's session middleware over `StorePersistDriver`.
@Suite("Console sessions in the store")
struct SessionTests {
    /// A fresh store and a driver on a hand-moved clock.
    func withDriver(_ body: (SQLiteStore, StorePersistDriver, ManualClock) async throws -> Void) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"), sealer: SecretSealer(key: SymmetricKey(size: .bits256)))
        let clock = ManualClock(utc("2026-11-25T10:00:00Z"))
        try await body(store, StorePersistDriver(store: store, clock: clock), clock)
    }

    func session(_ user: String = "usr_anna", at date: Date) -> ConsoleSession {
        ConsoleSession(userID: user, createdAt: date, language: .de)
    }

    @Test("a session is stored under the SHA-256 of its id, never the id, and comes back with its time to live")
    func hashed() async throws {
        try await withDriver { store, driver, clock in
            let value = session(at: clock.now())
            try await driver.create(key: "hbs.secret-id", value: value, expires: .seconds(12 * 3600))
            #expect(try await store.session(idHash: "hbs.secret-id") == nil)
            let stored = try #require(try await store.session(idHash: StoredSession.hash(id: "hbs.secret-id")))
            #expect(stored.userID == "usr_anna" && !String(decoding: stored.value, as: UTF8.self).contains("secret-id"))
            let (back, ttl) = try #require(try await driver.getWithTTL(key: "hbs.secret-id", as: ConsoleSession.self))
            #expect(back == value)
            #expect(ttl == .seconds(1800), "Hummingbird's 12-hour default becomes the idle expiry")
            await #expect(throws: PersistError.duplicate) { try await driver.create(key: "hbs.secret-id", value: value, expires: nil) }
            await #expect(throws: PersistError.invalidConversion) { _ = try await driver.get(key: "hbs.secret-id", as: [Int].self) }
            try await driver.remove(key: "hbs.secret-id")
            #expect(try await driver.get(key: "hbs.secret-id", as: ConsoleSession.self) == nil)
        }
    }

    @Test("a session ends 30 minutes after its last use; each use renews it, up to 12 hours after it began")
    func lifetimes() async throws {
        try await withDriver { store, driver, clock in
            try await driver.set(key: "idle", value: session(at: clock.now()), expires: nil)
            clock.advance(by: 1799)
            #expect(try await driver.get(key: "idle", as: ConsoleSession.self) != nil, "used just in time: renewed")
            clock.advance(by: 1799)
            #expect(try await driver.get(key: "idle", as: ConsoleSession.self) != nil)
            clock.advance(by: 1801)
            #expect(try await driver.get(key: "idle", as: ConsoleSession.self) == nil, "30 minutes without use")
            #expect(try await store.session(idHash: StoredSession.hash(id: "idle")) == nil, "and gone from the store")

            let begun = clock.now()
            try await driver.set(key: "busy", value: session(at: begun), expires: nil)
            var lived: TimeInterval = 0
            for _ in 0..<40 {
                clock.advance(by: 1200)
                guard try await driver.get(key: "busy", as: ConsoleSession.self) != nil else { break }
                lived = clock.now().timeIntervalSince(begun)
            }
            #expect(lived == 11 * 3600 + 2400, "used every 20 minutes it lives until the last use before 12 hours, and not past them")
        }
    }

    @Test("an update keeps when the session began and its expiry unless a new one is given")
    func updates() async throws {
        try await withDriver { store, driver, clock in
            let begun = clock.now()
            try await driver.set(key: "k", value: session(at: begun), expires: .seconds(600))
            clock.advance(by: 120)
            var changed = session(at: begun)
            changed.language = .en
            try await driver.set(key: "k", value: changed, expires: nil)
            let stored = try #require(try await store.session(idHash: StoredSession.hash(id: "k")))
            #expect(stored.createdAt == begun && stored.expiresAt == begun.addingTimeInterval(600))
            #expect(try await driver.get(key: "k", as: ConsoleSession.self)?.language == .en)
        }
    }

    @Test("removing a person's sessions ends every console session of theirs and no one else's")
    func perPerson() async throws {
        try await withDriver { store, driver, clock in
            try await driver.set(key: "a1", value: session("usr_anna", at: clock.now()), expires: nil)
            try await driver.set(key: "a2", value: session("usr_anna", at: clock.now()), expires: nil)
            try await driver.set(key: "b1", value: session("usr_ben", at: clock.now()), expires: nil)
            #expect(try await store.removeSessions(userID: "usr_anna") == 2)
            #expect(try await driver.get(key: "a1", as: ConsoleSession.self) == nil)
            #expect(try await driver.get(key: "b1", as: ConsoleSession.self) != nil)
        }
    }

    @Test("through Hummingbird's SessionMiddleware: sign-in sets a cookie, the next request finds the session, sign-out ends it")
    func middleware() async throws {
        try await withDriver { _, driver, clock in
            typealias Context = BasicSessionRequestContext<ConsoleSession, User>
            let router = Router(context: Context.self)
            router.add(middleware: SessionMiddleware(storage: driver))
            router.post("/sign-in") { _, context -> HTTPResponse.Status in
                context.sessions.createSession(ConsoleSession(userID: "usr_anna", createdAt: clock.now(), language: .de))
                return .ok
            }
            router.get("/me") { _, context -> String in context.sessions.session?.userID ?? "nobody" }
            router.post("/sign-out") { _, context -> HTTPResponse.Status in
                context.sessions.clearSession()
                return .ok
            }
            try await Application(router: router).test(.router) { client in
                let signedIn = try await client.execute(uri: "/sign-in", method: .post)
                let cookie = try #require(signedIn.headers[.setCookie]).split(separator: ";")[0]
                let headers: HTTPFields = [.cookie: String(cookie)]
                #expect(String(buffer: try await client.execute(uri: "/me", method: .get, headers: headers).body) == "usr_anna")
                _ = try await client.execute(uri: "/sign-out", method: .post, headers: headers)
                #expect(String(buffer: try await client.execute(uri: "/me", method: .get, headers: headers).body) == "nobody")
            }
        }
    }

    @Test("a form's CSRF token is accepted only when it is the session's own")
    func csrf() {
        let session = ConsoleSession(userID: "usr_anna", createdAt: Date(), language: .de)
        #expect(session.accepts(csrfToken: session.csrfToken))
        #expect(!session.accepts(csrfToken: nil) && !session.accepts(csrfToken: "") && !session.accepts(csrfToken: session.csrfToken + "x"))
        #expect(session.csrfToken.count == 43 && ConsoleSession.makeCSRFToken() != session.csrfToken)
    }
}
