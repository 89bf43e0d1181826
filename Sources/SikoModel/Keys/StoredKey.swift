import Foundation

/// An API key as stored: never the key itself, only its hash.
public struct StoredKey: Sendable, Equatable {
    /// The visible prefix that names the key in logs and lists.
    public var id: String
    public var partner: String
    public var hash: String
    public var scopes: Set<Scope>
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// To the minute: the gateway writes it at most once a minute per key.
    public var lastUsedAt: Date?
    /// Set when requests with this key must be signed (Standard Webhooks); sealed at rest.
    public var signingSecret: String?
    /// The person the key belongs to (`usr_…`): it acts as them, with at most what their roles allow,
    /// and stops with them. Nil for a system's key.
    public var userID: String?

    public init(
        id: String, partner: String, hash: String, scopes: Set<Scope>, createdAt: Date, expiresAt: Date? = nil, revokedAt: Date? = nil,
        lastUsedAt: Date? = nil, signingSecret: String? = nil, userID: String? = nil
    ) {
        self.userID = userID
        self.signingSecret = signingSecret
        self.id = id
        self.partner = partner
        self.hash = hash
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}
