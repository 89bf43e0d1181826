import Foundation
import SikoChannels
import SikoModel

/// Issuing, listing and revoking API keys: for admins on the API and the operator at the command line alike.
public struct KeyService: Sendable {
    let store: any KeyStore
    /// The partners in force, which keys may be issued for; nil where nothing is issued (listing, revoking).
    let partners: (@Sendable () -> ReferenceData)?
    let clock: any WallClock

    public init(store: any KeyStore, partners: (@Sendable () -> ReferenceData)? = nil, clock: any WallClock) {
        self.store = store
        self.partners = partners
        self.clock = clock
    }

    /// A key as issued: the only time `key` itself is ever seen.
    public struct Issued: Sendable {
        public var key: String
        public var record: StoredKey
    }

    /// Creates a key for `partner`. With `requireSignature` the record carries a new `whsec_…`
    /// secret its requests must be signed with. Invalid requests name every wrong field.
    public func issue(
        by identity: Identity, partner: String?, scopes: [String], expiresAt: Date? = nil, requireSignature: Bool = false
    ) async throws -> Issued {
        try identity.require(.admin)
        var errors: [FieldError] = []
        if let partner {
            if partners?().partner(partner) == nil {
                errors.append(.init(
                    "partner", "unknown partner '\(partner.prefix(64))' (see Rules/partners.yaml)",
                    de: "unbekannter Partner '\(partner.prefix(64))' (siehe Rules/partners.yaml)"
                ))
            }
        } else {
            errors.append(.init("partner", .required))
        }
        var granted: Set<Scope> = []
        for (index, raw) in scopes.prefix(16).enumerated() {
            if let scope = Scope(rawValue: raw) { granted.insert(scope) } else {
                errors.append(.init("scopes[\(index)]", .oneOf(Scope.allCases.map(\.rawValue))))
            }
        }
        if scopes.isEmpty { errors.append(.init("scopes", "at least one scope is required", de: "mindestens ein Scope ist erforderlich")) }
        let now = clock.now()
        if let expiresAt, expiresAt <= now { errors.append(.init("expiresAt", .inThePast)) }
        guard errors.isEmpty, let partner else { throw ServiceError.invalid(ValidationFailure(errors: errors)) }
        let id = "siko_" + Identifier.randomToken(length: 10)
        let key = id + "_" + KeyAuthority.randomToken(bytes: 32)
        let record = StoredKey(
            id: id, partner: partner, hash: KeyAuthority.hash(key), scopes: granted, createdAt: now, expiresAt: expiresAt,
            signingSecret: requireSignature ? WebhookSigner.makeSecret() : nil
        )
        let detail = "for \(partner): \(granted.map(\.rawValue).sorted().joined(separator: " "))"
        try await store.insertKey(record, audit: identity.auditRecord(.keyCreate, object: id, detail: detail, at: now))
        return Issued(key: key, record: record)
    }

    /// Keys of one partner, or all; never the keys themselves.
    public func list(by identity: Identity, partner: String?) async throws -> [StoredKey] {
        try identity.require(.admin)
        return try await store.keys(partner: partner)
    }

    /// Revokes a key; from the next request on it is refused.
    public func revoke(by identity: Identity, id: String) async throws -> StoredKey {
        try identity.require(.admin)
        let now = clock.now()
        guard let record = try await store.revokeKey(id: id, at: now, audit: { key in
            identity.auditRecord(.keyRevoke, object: key.id, detail: "of \(key.partner)", at: now)
        }) else { throw ServiceError.notFound("key \(id)") }
        return record
    }
}
