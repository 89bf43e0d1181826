import SikoModel

extension Identity {
    /// What a console session acts as; the audit names `console (anna.schmidt)`.
    public static let consoleKeyID = "console"

    /// A person signed in to the console, with what their roles allow today.
    public static func signedIn(_ user: User) -> Identity {
        Identity(partner: user.partner, keyID: consoleKeyID, scopes: roleScopes(of: user), person: user.person)
    }

    /// A key bound to `user`: its scopes, but never more than the person's roles allow now, so
    /// taking a role away takes effect on their keys at once.
    static func person(_ user: User, key: StoredKey) -> Identity {
        let roles = Identity(partner: user.partner, keyID: key.id, scopes: roleScopes(of: user))
        return Identity(
            partner: key.partner, keyID: key.id, scopes: Scope.ofKey(key.scopes).filter(roles.has), signingSecret: key.signingSecret,
            person: user.person
        )
    }

    static func roleScopes(of user: User) -> Set<Scope> {
        Role.scopes(for: user.roles, atCentralOffice: user.partner == centralOffice)
    }

    /// May this caller manage the users and keys of `partner`? An admin everyone's, a partner's admin its own.
    public func administers(_ partner: String) -> Bool {
        isAdmin || (scopes.contains(.partnerAdmin) && self.partner == partner)
    }

    /// Throws unless the caller administers users and keys of some partner; the refusal names
    /// `admin`, as it did before partners had admins of their own.
    func requireAdministration() throws(ServiceError) {
        guard isAdmin || scopes.contains(.partnerAdmin) else { throw .missingScope(.admin) }
    }

    /// Scopes only an admin of every partner (the Geschäftsstelle's, or the operator) may put on a key.
    public static let grantedByAdminsOnly: Set<Scope> = [.admin, .eventsPublishDirect]
}
