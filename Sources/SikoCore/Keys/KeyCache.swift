import Foundation
import SikoModel
import Synchronization

/// Recognised keys kept in memory, so a request is authenticated without reading the store.
///
/// Whatever changes a key or a person — in this process, in `siko keys revoke`, or in another
/// gateway on the same database — bumps the store's credential version (triggers in the store, so
/// no writer can forget it). The cache reads that version at most every `recheck` and forgets
/// everything when it moved, so a revocation or a disabled person is honoured within `recheck`
/// plus one request anywhere, and at once in this process (the services call `forget()`). Expiry
/// needs no version: it is checked against the clock on every request.
public final class KeyCache: Sendable {
    struct Entry: Sendable {
        var key: StoredKey
        var person: User?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// The store's version the entries were read under, and when it was last compared.
        var version: Int64?
        var checkedAt: Date = .distantPast
    }

    /// How long a version read stands; well inside the promise of one second.
    public static let recheck: TimeInterval = 0.5
    /// Keys are few, but a flood of distinct valid keys must not grow memory without bound.
    static let capacity = 10_000

    private let state = Mutex(State())

    public init() {}

    /// Forgets every key read so far (a credential changed in this process).
    public func forget() {
        state.withLock { state in
            state.entries.removeAll()
            state.checkedAt = .distantPast
        }
    }

    /// The entry for `hash`, read through `load` when it is not cached or the store's credential
    /// version has moved since it was read.
    func entry(
        hash: String, now: Date, version: @Sendable () async throws -> Int64, load: @Sendable () async throws -> Entry?
    ) async throws -> Entry? {
        let recheck = state.withLock { now.timeIntervalSince($0.checkedAt) >= Self.recheck || $0.version == nil }
        if recheck {
            let current = try await version()
            state.withLock { state in
                if state.version != current { state.entries.removeAll() }
                state.version = current
                state.checkedAt = now
            }
        }
        if let cached = state.withLock({ $0.entries[hash] }) { return cached }
        let generation = state.withLock(\.version)
        guard let loaded = try await load() else { return nil }
        state.withLock { state in
            // Read under an older version than the one now in force: do not keep it.
            guard state.version == generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll() }
            state.entries[hash] = loaded
        }
        return loaded
    }
}
