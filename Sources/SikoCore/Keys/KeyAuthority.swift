import Crypto
import Foundation
import SikoModel
import Synchronization

/// Recognises API keys. A key is `siko_<id>_<secret>` with 256 random bits; only its SHA-256 is
/// stored (a fast hash suffices: the key itself has full entropy), and the `siko_<id>` prefix names
/// it in lists and logs.
public struct KeyAuthority: Sendable {
    private let store: any KeyStore & UserStore
    /// The partners in force now (they change on reload).
    private let partners: @Sendable () -> ReferenceData
    private let clock: any WallClock
    /// When each key's last use was written, so a busy key costs one write a minute, not one per request.
    private let lastWritten = LastUse()
    private let cache: KeyCache

    public init(store: any KeyStore & UserStore, partners: @escaping @Sendable () -> ReferenceData, clock: any WallClock, cache: KeyCache = KeyCache()) {
        self.store = store
        self.partners = partners
        self.clock = clock
        self.cache = cache
    }

    final class LastUse: Sendable {
        let times = Mutex<[String: Date]>([:])
    }

    /// The caller behind a bearer key, or nil when the key is unknown, revoked, expired or its partner
    /// gone, or its person disabled. A person's key acts as them, with what their roles allow now.
    /// Recognised keys come from `KeyCache`, which honours a change anywhere within a second.
    public func authenticate(_ key: String) async throws -> Identity? {
        guard key.hasPrefix("siko_"), key.utf8.count <= 128 else { return nil }
        let now = clock.now()
        let store = self.store
        let hash = Self.hash(key)
        guard let entry = try await cache.entry(hash: hash, now: now, version: { try await store.credentialVersion() }, load: {
            guard let record = try await store.key(hash: hash) else { return nil }
            var person: User?
            if let userID = record.userID { person = try await store.user(id: userID) }
            return KeyCache.Entry(key: record, person: person)
        }) else { return nil }
        let record = entry.key
        if record.revokedAt != nil { return nil }
        if let expiresAt = record.expiresAt, expiresAt <= now { return nil }
        guard partners().partner(record.partner) != nil else { return nil }
        var person: User?
        if record.userID != nil {
            guard let user = entry.person, !user.isDisabled else { return nil }
            person = user
        }
        let due = lastWritten.times.withLock { times in
            guard now.timeIntervalSince(times[record.id] ?? .distantPast) >= 60 else { return false }
            times[record.id] = now
            return true
        }
        if due { try? await store.touchKey(id: record.id, at: now) }
        if let person { return Identity.person(person, key: record) }
        return Identity(partner: record.partner, keyID: record.id, scopes: Scope.ofKey(record.scopes), signingSecret: record.signingSecret)
    }

    /// Hex SHA-256; runs on every request.
    public static func hash(_ key: String) -> String {
        Hex.encode(SHA256.hash(data: Array(key.utf8)))
    }

    /// URL-safe base64 without padding.
    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
