import Foundation
import Hummingbird
import SikoModel

/// Hummingbird's persist driver on the gateway's store, for `SessionMiddleware`: sessions survive a
/// restart and reach every gateway on the store. Keys are stored as their SHA-256, so a copy of the
/// database holds no live session. `SessionLifetime` adds what Hummingbird's single lifetime lacks:
/// an expiry `idle` after the last use (renewed on reads, at most once a minute) that never passes
/// the absolute end `absolute` after the session began.
public struct StorePersistDriver: PersistDriver {
    let store: any SessionStore
    let lifetime: SessionLifetime
    let clock: any WallClock

    public init(store: any SessionStore, lifetime: SessionLifetime = .standard, clock: any WallClock = SystemClock()) {
        self.store = store
        self.lifetime = lifetime
        self.clock = clock
    }

    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await write(key: key, value: value, expires: expires, onlyNew: true) else { throw PersistError.duplicate }
    }

    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        _ = try await write(key: key, value: value, expires: expires, onlyNew: false)
    }

    public func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    public func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let idHash = StoredSession.hash(id: key)
        let now = clock.now()
        guard let stored = try await store.session(idHash: idHash) else { return nil }
        guard lifetime.isLive(createdAt: stored.createdAt, expiresAt: stored.expiresAt, at: now) else {
            try await store.removeSession(idHash: idHash)
            return nil
        }
        let object: Object
        do {
            object = try JSONDecoder.session.decode(Object.self, from: Data(stored.value))
        } catch {
            throw PersistError.invalidConversion
        }
        var expiresAt = stored.expiresAt
        if let renewed = lifetime.renewal(createdAt: stored.createdAt, expiresAt: stored.expiresAt, usedAt: now) {
            try await store.renewSession(idHash: idHash, expiresAt: renewed)
            expiresAt = renewed
        }
        return (object, .milliseconds(Int64(expiresAt.timeIntervalSince(now) * 1000)))
    }

    public func remove(key: String) async throws {
        try await store.removeSession(idHash: StoredSession.hash(id: key))
    }

    /// A console session names its person, so disabling them ends it; other values name nobody.
    private func write<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?, onlyNew: Bool) async throws -> Bool {
        let bytes = Array(try JSONEncoder.session.encode(value))
        let lifetime = lifetime
        return try await store.setSession(
            idHash: StoredSession.hash(id: key), userID: (value as? ConsoleSession)?.userID, value: bytes, at: clock.now(), onlyNew: onlyNew
        ) { [now = clock.now()] createdAt, stored in
            // Without a new expiry an existing session keeps its own, as the protocol asks.
            if expires == nil, let stored { return stored }
            return lifetime.expiry(createdAt: createdAt, usedAt: now, requested: expires)
        }
    }
}

extension JSONEncoder {
    fileprivate static var session: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }
}

extension JSONDecoder {
    fileprivate static var session: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}
