import Foundation

/// A person of one partner who signs in to the console, and may own API keys.
public struct User: Sendable, Equatable {
    /// `usr_…`, stable; the login may be looked up, but people are compared by id.
    public var id: String
    public var partner: String
    /// Lowercase, as `UserRules.normalizedLogin` makes it: unique whatever case is typed.
    public var login: String
    public var name: String
    public var roles: Set<Role>
    /// Cleared for VS-NfD content.
    public var cleared: Bool
    public var language: Language
    /// bcrypt; never shown.
    public var passwordHash: String
    /// The TOTP secret once a second factor is set up; opened here, sealed at rest, never shown
    /// but once in the `otpauth://` URI of its enrolment.
    public var totpSecret: String?
    /// The last TOTP time step accepted, so a code is used once.
    public var totpLastStep: Int64?
    public var createdAt: Date
    public var disabledAt: Date?
    public var lastSignInAt: Date?

    public init(
        id: String, partner: String, login: String, name: String, roles: Set<Role>, cleared: Bool = false, language: Language = .de,
        passwordHash: String, totpSecret: String? = nil, totpLastStep: Int64? = nil, createdAt: Date, disabledAt: Date? = nil,
        lastSignInAt: Date? = nil
    ) {
        self.id = id
        self.partner = partner
        self.login = login
        self.name = name
        self.roles = roles
        self.cleared = cleared
        self.language = language
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.totpLastStep = totpLastStep
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.lastSignInAt = lastSignInAt
    }

    public var isDisabled: Bool { disabledAt != nil }
    public var hasSecondFactor: Bool { totpSecret != nil }

    /// The person as the audit and four eyes see them.
    public var person: Person { Person(userID: id, login: login, name: name, roles: roles, cleared: cleared) }
}

/// What disabling a user did, in one transaction: their keys revoked, their sessions ended.
public struct UserDisabling: Sendable, Equatable {
    public var user: User
    public var revokedKeys: [StoredKey]
    public var endedSessions: Int

    public init(user: User, revokedKeys: [StoredKey], endedSessions: Int) {
        self.user = user
        self.revokedKeys = revokedKeys
        self.endedSessions = endedSessions
    }
}
