import Foundation
import SikoChannels
import SikoModel

/// Issuing, listing and revoking API keys: for admins on the API, the console and the operator at
/// the command line alike. An admin of a partner other than the Geschäftsstelle manages only that
/// partner's keys, and never grants `admin` or `events:publish-direct`.
public struct KeyService: Sendable {
    let store: any KeyStore & UserStore
    /// The partners in force, which keys may be issued for; nil where nothing is issued (listing, revoking).
    let partners: (@Sendable () -> ReferenceData)?
    let clock: any WallClock

    /// Told of every revocation, so this process stops recognising the key at once.
    let cache: KeyCache?

    public init(store: any KeyStore & UserStore, partners: (@Sendable () -> ReferenceData)? = nil, clock: any WallClock, cache: KeyCache? = nil) {
        self.store = store
        self.partners = partners
        self.clock = clock
        self.cache = cache
    }

    /// A key as issued: the only time `key` itself is ever seen.
    public struct Issued: Sendable {
        public var key: String
        public var record: StoredKey
    }

    /// Creates a key for `partner`, or for the person `user` names (a login or `usr_…`; the key is
    /// then of their partner, and `partner` may be left out). With `requireSignature` the record
    /// carries a new `whsec_…` secret its requests must be signed with. Invalid requests name every
    /// wrong field.
    public func issue(
        by identity: Identity, partner: String?, user: String? = nil, scopes: [String], expiresAt: Date? = nil, requireSignature: Bool = false
    ) async throws -> Issued {
        try identity.requireAdministration()
        var errors: [FieldError] = []
        var partner = partner
        var owner: User?
        if let user {
            owner = user.hasPrefix("usr_") ? try await store.user(id: user) : try await store.user(login: UserRules.normalizedLogin(user))
            if let found = owner, identity.administers(found.partner) {
                if found.isDisabled { errors.append(.init("user", "\(found.login) is disabled", de: "\(found.login) ist gesperrt")) }
                if let partner, partner != found.partner { errors.append(.init(
                    "partner", "\(found.login) belongs to \(found.partner), not \(partner.prefix(64))",
                    de: "\(found.login) gehört zu \(found.partner), nicht zu \(partner.prefix(64))"
                )) }
                partner = found.partner
            } else {
                owner = nil
                errors.append(.init("user", "unknown user '\(user.prefix(64))'", de: "unbekannter Benutzer '\(user.prefix(64))'"))
            }
        }
        if let partner {
            if partners?().partner(partner) == nil {
                errors.append(.init(
                    "partner", "unknown partner '\(partner.prefix(64))' (see Rules/partners.yaml)",
                    de: "unbekannter Partner '\(partner.prefix(64))' (siehe Rules/partners.yaml)"
                ))
            }
        } else if user == nil {
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
        if let partner, !identity.administers(partner) { throw ServiceError.missingScope(.admin) }
        if !identity.isAdmin, !granted.isDisjoint(with: Identity.grantedByAdminsOnly) { throw ServiceError.missingScope(.admin) }
        guard errors.isEmpty, let partner else { throw ServiceError.invalid(ValidationFailure(errors: errors)) }
        let id = "siko_" + Identifier.randomToken(length: 10)
        let key = id + "_" + KeyAuthority.randomToken(bytes: 32)
        let record = StoredKey(
            id: id, partner: partner, hash: KeyAuthority.hash(key), scopes: granted, createdAt: now, expiresAt: expiresAt,
            signingSecret: requireSignature ? WebhookSigner.makeSecret() : nil, userID: owner?.id
        )
        let detail = "for \(partner)\(owner.map { " (\($0.login))" } ?? ""): \(granted.map(\.rawValue).sorted().joined(separator: " "))"
        try await store.insertKey(record, audit: identity.auditRecord(.keyCreate, object: id, detail: detail, at: now))
        return Issued(key: key, record: record)
    }

    /// Keys of one partner, or all the caller administers; never the keys themselves.
    public func list(by identity: Identity, partner: String?) async throws -> [StoredKey] {
        try identity.requireAdministration()
        if let partner, !identity.administers(partner) { return [] }
        return try await store.keys(partner: partner ?? identity.visibleTo)
    }

    /// Revokes a key; from the next request on it is refused. Another partner's key, for a
    /// partner's admin, answers like an unknown one.
    public func revoke(by identity: Identity, id: String) async throws -> StoredKey {
        try identity.requireAdministration()
        if !identity.isAdmin, try await !store.keys(partner: identity.partner).contains(where: { $0.id == id }) {
            throw ServiceError.notFound("key \(id)")
        }
        let now = clock.now()
        guard let record = try await store.revokeKey(id: id, at: now, audit: { key in
            identity.auditRecord(.keyRevoke, object: key.id, detail: "of \(key.partner)", at: now)
        }) else { throw ServiceError.notFound("key \(id)") }
        cache?.forget()
        return record
    }
}
