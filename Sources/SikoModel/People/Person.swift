/// The person behind a console session or a key bound to a user: what the audit names and what
/// four eyes compares.
public struct Person: Sendable, Hashable, Codable {
    /// The user's stable id (`usr_…`); logins are unique but a person is compared by id.
    public var userID: String
    public var login: String
    public var name: String
    public var roles: Set<Role>
    /// Cleared for VS-NfD content.
    public var cleared: Bool

    public init(userID: String, login: String, name: String, roles: Set<Role>, cleared: Bool) {
        self.userID = userID
        self.login = login
        self.name = name
        self.roles = roles
        self.cleared = cleared
    }
}
