import Foundation

/// API keys at rest. A change and its audit entry commit together or not at all.
public protocol KeyStore: Sendable {
    func insertKey(_ key: StoredKey, audit: AuditRecord) async throws
    func key(hash: String) async throws -> StoredKey?
    /// A partner's keys, or everyone's when `partner` is nil, newest first; hashes included, never keys.
    func keys(partner: String?) async throws -> [StoredKey]
    /// Revokes a key (once; a second revocation keeps the first time) and writes `audit(key)` with
    /// it. Nil when it does not exist.
    func revokeKey(id: String, at: Date, audit: @escaping @Sendable (StoredKey) -> AuditRecord) async throws -> StoredKey?
    /// Not audited: the last use is bookkeeping, written at most once a minute per key.
    func touchKey(id: String, at: Date) async throws
    /// A number that moves whenever a key or a person changes in a way authentication sees
    /// (revoked, expiry, scopes, roles, disabled), by whoever changed it: a cache of recognised
    /// keys compares it to know it is still true.
    func credentialVersion() async throws -> Int64
}

/// What signed requests were seen, so a replayed one is refused.
public protocol ReplayMemory: Sendable {
    /// Remembers that `keyID` sent the signed request `requestID` (its `webhook-id`) signed at
    /// `signedAt`; false when it was remembered already: a replay. Atomic, so two copies sent at
    /// once cannot both be new. Forgets requests signed before `forgetBefore`, whose timestamps
    /// no longer pass the check anyway.
    func rememberSignedRequest(keyID: String, requestID: String, signedAt: Date, forgetBefore: Date) async throws -> Bool
}
