import Foundation
import SikoModel

/// An API key as the API shows it: its visible id and facts, never the key or its hash; the key
/// itself only in the answer that created it.
struct KeyView: Encodable {
    var id: String
    var partner: String
    /// The person the key belongs to (`usr_…`), or null for a system's key.
    var user: String?
    var scopes: [String]
    var createdAt: Date
    var expiresAt: Date?
    var revokedAt: Date?
    var lastUsedAt: Date?
    var requiresSignature: Bool
    var key: String?
    var signingSecret: String?

    init(_ record: StoredKey, key: String? = nil, signingSecret: String? = nil) {
        requiresSignature = record.signingSecret != nil
        self.signingSecret = signingSecret
        id = record.id
        partner = record.partner
        user = record.userID
        scopes = record.scopes.map(\.rawValue).sorted()
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        revokedAt = record.revokedAt
        lastUsedAt = record.lastUsedAt
        self.key = key
    }

    enum CodingKeys: String, CodingKey { case id, partner, user, scopes, createdAt, expiresAt, revokedAt, lastUsedAt, requiresSignature, key, signingSecret }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(partner, forKey: .partner)
        try container.encode(user, forKey: .user)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(requiresSignature, forKey: .requiresSignature)
        try container.encodeIfPresent(key, forKey: .key)
        try container.encodeIfPresent(signingSecret, forKey: .signingSecret)
    }
}

struct KeyList: Encodable {
    var keys: [KeyView]
}
