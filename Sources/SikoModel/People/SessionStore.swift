import Crypto
import Foundation

/// A console session at rest, under the SHA-256 of its id: a copied database holds no live session.
public struct StoredSession: Sendable, Equatable {
    public var idHash: String
    /// The person signed in, so disabling them ends the session; nil before sign-in.
    public var userID: String?
    public var value: [UInt8]
    public var createdAt: Date
    public var expiresAt: Date

    public init(idHash: String, userID: String?, value: [UInt8], createdAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.userID = userID
        self.value = value
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Hex SHA-256 of the id the cookie carries: the id has full entropy, so a fast hash suffices.
    public static func hash(id: String) -> String { Hex.encode(SHA256.hash(data: Array(id.utf8))) }
}

/// Console sessions, shared by every gateway on the store. Bookkeeping, not audited: sign-in and
/// sign-out are.
public protocol SessionStore: Sendable {
    /// Writes the session under `idHash`; an existing one keeps its `createdAt`. `expiry` gets the
    /// `createdAt` in force and the stored expiry (nil for a new session) and answers the expiry to
    /// write. With `onlyNew`, an existing session is left alone and the answer is false.
    func setSession(
        idHash: String, userID: String?, value: [UInt8], at now: Date, onlyNew: Bool,
        expiry: @escaping @Sendable (_ createdAt: Date, _ stored: Date?) -> Date
    ) async throws -> Bool
    /// The session under `idHash`, expired or not: the caller's lifetime decides.
    func session(idHash: String) async throws -> StoredSession?
    /// Moves a session's expiry (a use that renews it).
    func renewSession(idHash: String, expiresAt: Date) async throws
    func removeSession(idHash: String) async throws
    /// Ends every session of one person; answers how many.
    @discardableResult
    func removeSessions(userID: String) async throws -> Int
    /// Removes sessions that expired before `now` or began before `createdBefore`; answers how many.
    @discardableResult
    func purgeSessions(expiredBefore now: Date, createdBefore: Date) async throws -> Int
}
