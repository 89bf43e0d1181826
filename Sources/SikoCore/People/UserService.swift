import Foundation
import SikoModel

/// The people of the partners: created with a password, given roles and clearance, disabled. The
/// operator at the command line and an admin of the Geschäftsstelle administer everyone, a
/// partner's admin only that partner's people; each person may set their own language and set up
/// their own second factor. Every change is audited naming who made it.
public struct UserService: Sendable {
    let store: any UserStore
    /// The partners in force, which users may belong to; nil where nobody is created.
    let partners: (@Sendable () -> ReferenceData)?
    let passwords: PasswordHasher
    let clock: any WallClock

    /// Told of every change to a person, so their keys follow it in this process at once.
    let cache: KeyCache?

    public init(
        store: any UserStore, partners: (@Sendable () -> ReferenceData)? = nil, passwords: PasswordHasher = .standard, clock: any WallClock,
        cache: KeyCache? = nil
    ) {
        self.store = store
        self.partners = partners
        self.passwords = passwords
        self.clock = clock
        self.cache = cache
    }

    /// A new user as the form or the command line gives it.
    public struct Submission: Sendable {
        /// Nil for a partner's admin: their own partner.
        public var partner: String?
        public var login: String
        public var name: String
        public var roles: [String]
        public var cleared: Bool
        public var language: Language
        public var password: String

        public init(
            partner: String?, login: String, name: String, roles: [String], cleared: Bool = false, language: Language = .de, password: String
        ) {
            self.partner = partner
            self.login = login
            self.name = name
            self.roles = roles
            self.cleared = cleared
            self.language = language
            self.password = password
        }
    }

    public func create(_ submission: Submission, by identity: Identity) async throws -> User {
        try identity.requireAdministration()
        let partner = submission.partner ?? (identity.isAdmin ? nil : identity.partner)
        var errors: [FieldError] = []
        if let partner {
            if partners?().partner(partner) == nil {
                errors.append(FieldError(
                    "partner", "unknown partner '\(partner.prefix(64))' (see Rules/partners.yaml)",
                    de: "unbekannter Partner '\(partner.prefix(64))' (siehe Rules/partners.yaml)"
                ))
            } else if !identity.administers(partner) {
                throw ServiceError.missingScope(.admin)
            }
        } else {
            errors.append(FieldError("partner", .required))
        }
        let login = UserRules.normalizedLogin(submission.login)
        if let problem = UserRules.loginProblem(login) { errors.append(FieldError("login", problem)) }
        if let problem = UserRules.nameProblem(submission.name) { errors.append(FieldError("name", problem)) }
        if let problem = UserRules.passwordProblem(submission.password) { errors.append(FieldError("password", problem)) }
        var roles: Set<Role> = []
        switch UserRules.roles(submission.roles) {
        case .success(let value): roles = value
        case .failure(let failure): errors += failure.errors
        }
        guard errors.isEmpty, let partner else { throw ServiceError.invalid(ValidationFailure(errors: errors)) }
        let now = clock.now()
        let user = User(
            id: Identifier.make("usr", at: now), partner: partner, login: login, name: submission.name.trimmingCharacters(in: .whitespaces),
            roles: roles, cleared: submission.cleared, language: submission.language, passwordHash: await passwords.hash(submission.password),
            createdAt: now
        )
        let detail = "\(login) of \(partner): \(Self.describe(roles))\(user.cleared ? ", cleared" : "")"
        guard try await store.insertUser(user, audit: identity.auditRecord(.userCreate, object: user.id, detail: detail, at: now)) else {
            throw ServiceError.invalid("login", "\(login) is taken", de: "\(login) ist schon vergeben")
        }
        return user
    }

    /// The users the caller administers, of one partner or all of them; by login.
    public func list(partner: String? = nil, by identity: Identity) async throws -> [User] {
        try identity.requireAdministration()
        if let partner, !identity.administers(partner) { return [] }
        return try await store.users(partner: partner ?? identity.visibleTo)
    }

    /// One user, by id (`usr_…`) or login: the caller themselves, or one they administer.
    public func user(_ reference: String, by identity: Identity) async throws -> User {
        try await target(reference, by: identity, allowSelf: true)
    }

    /// Whether anyone can sign in yet: `siko serve` says how to make the first admin when not.
    public func hasUsers() async throws -> Bool { try await store.userCount() > 0 }

    /// Disables a user, revokes their keys and ends their sessions at once (one transaction).
    /// Nobody disables themselves: the last admin could lock everyone out.
    public func disable(_ reference: String, by identity: Identity) async throws -> UserDisabling {
        let user = try await target(reference, by: identity, allowSelf: false)
        if user.id == identity.person?.userID {
            throw ServiceError.conflict(
                type: "self-disable", title: "Nicht sich selbst", detail: "Niemand kann sich selbst sperren; das tut ein anderer Admin (nobody disables themselves)"
            )
        }
        let now = clock.now()
        let disabling = try await store.disableUser(id: user.id, at: now) { done in
            let detail = "\(done.user.login) of \(done.user.partner): \(done.revokedKeys.count) keys revoked, \(done.endedSessions) sessions ended"
            return [identity.auditRecord(.userDisable, object: done.user.id, detail: detail, at: now)]
                + done.revokedKeys.map { key in identity.auditRecord(.keyRevoke, object: key.id, detail: "of \(key.partner), with user \(done.user.login)", at: now) }
        }
        guard let disabling else { throw ServiceError.notFound("user \(reference)") }
        cache?.forget()
        return disabling
    }

    public func resetPassword(_ reference: String, to password: String, by identity: Identity) async throws -> User {
        let user = try await target(reference, by: identity, allowSelf: false)
        if let problem = UserRules.passwordProblem(password) { throw ServiceError.invalid("password", problem) }
        let hash = await passwords.hash(password)
        return try await change(user, .userPassword, detail: "reset", by: identity) { $0.passwordHash = hash }
    }

    public func setRoles(_ reference: String, to names: [String], by identity: Identity) async throws -> User {
        let user = try await target(reference, by: identity, allowSelf: false)
        let roles: Set<Role>
        switch UserRules.roles(names) {
        case .success(let value): roles = value
        case .failure(let failure): throw ServiceError.invalid(failure)
        }
        return try await change(user, .userRoles, detail: Self.describe(roles), by: identity) { $0.roles = roles }
    }

    public func setCleared(_ reference: String, _ cleared: Bool, by identity: Identity) async throws -> User {
        let user = try await target(reference, by: identity, allowSelf: false)
        return try await change(user, .userClearance, detail: cleared ? "cleared" : "not cleared", by: identity) { $0.cleared = cleared }
    }

    /// The language the console speaks to the user; each person may choose their own.
    public func setLanguage(_ reference: String, to language: Language, by identity: Identity) async throws -> User {
        let user = try await target(reference, by: identity, allowSelf: true)
        return try await change(user, .userLanguage, detail: language.rawValue, by: identity) { $0.language = language }
    }

    /// Sets up a new TOTP secret (replacing one there was) and answers the URI to scan, shown this
    /// once. A person may set up their own while they have none; replacing one is an admin's task.
    public func enrolSecondFactor(_ reference: String, by identity: Identity) async throws -> SecondFactorEnrolment {
        var user = try await target(reference, by: identity, allowSelf: true)
        if user.hasSecondFactor, !identity.administers(user.partner) {
            throw ServiceError.conflict(
                type: "second-factor-exists", title: "Schon eingerichtet",
                detail: "Ein zweiter Faktor ist schon eingerichtet; ihn ersetzt ein Admin (already set up; an admin replaces it)"
            )
        }
        let secret = SecondFactor.makeSecret()
        user = try await change(user, .userSecondFactor, detail: "enrolled", by: identity) { user in
            user.totpSecret = secret
            user.totpLastStep = nil
        }
        return SecondFactorEnrolment(user: user, uri: SecondFactor.uri(secret: secret, login: user.login))
    }

    public func removeSecondFactor(_ reference: String, by identity: Identity) async throws -> User {
        let user = try await target(reference, by: identity, allowSelf: false)
        return try await change(user, .userSecondFactor, detail: "removed", by: identity) { user in
            user.totpSecret = nil
            user.totpLastStep = nil
        }
    }

    /// The user `reference` names (an id or a login) when the caller may act on them: as an
    /// administrator of their partner, or as themselves where `allowSelf`. Another partner's users
    /// answer like unknown ones.
    private func target(_ reference: String, by identity: Identity, allowSelf: Bool) async throws -> User {
        let isSelf = allowSelf && identity.person.map { $0.userID == reference || $0.login == UserRules.normalizedLogin(reference) } == true
        if !isSelf { try identity.requireAdministration() }
        let user = reference.hasPrefix("usr_")
            ? try await store.user(id: reference) : try await store.user(login: UserRules.normalizedLogin(reference))
        guard let user, isSelf || identity.administers(user.partner) else { throw ServiceError.notFound("user \(reference.prefix(64))") }
        return user
    }

    private func change(
        _ user: User, _ action: AuditAction, detail: String, by identity: Identity, _ apply: @escaping @Sendable (inout User) -> Void
    ) async throws -> User {
        let now = clock.now()
        let changed = try await store.updateUser(id: user.id, change: apply) { changed in
            identity.auditRecord(action, object: changed.id, detail: "\(changed.login): \(detail)", at: now)
        }
        guard let changed else { throw ServiceError.notFound("user \(user.login)") }
        cache?.forget()
        return changed
    }

    static func describe(_ roles: Set<Role>) -> String { roles.sorted().map(\.rawValue).joined(separator: " ") }
}
