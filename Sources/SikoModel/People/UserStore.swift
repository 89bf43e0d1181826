import Foundation

/// People and their sign-ins at rest. Every change commits with its audit entry or not at all;
/// TOTP secrets are sealed by the engine.
public protocol UserStore: Sendable {
    /// False when the login is taken (logins are stored normalized); nothing is written then.
    func insertUser(_ user: User, audit: AuditRecord) async throws -> Bool
    func user(id: String) async throws -> User?
    func user(login: String) async throws -> User?
    /// A partner's users, or everyone's when `partner` is nil, by login.
    func users(partner: String?) async throws -> [User]
    func userCount() async throws -> Int
    /// Applies `change` to the user as stored now and writes the result with `audit(changed)`; nil
    /// when there is no such user. A `change` that throws leaves everything as it was.
    func updateUser(
        id: String, change: @escaping @Sendable (inout User) throws -> Void, audit: @escaping @Sendable (User) -> AuditRecord
    ) async throws -> User?
    /// Disables the user (the first time stays), revokes every key bound to them and ends all their
    /// sessions, with `audit`'s entries: one transaction. Nil when there is no such user.
    func disableUser(id: String, at: Date, audit: @escaping @Sendable (UserDisabling) -> [AuditRecord]) async throws -> UserDisabling?
    /// A successful sign-in: the last sign-in time, the TOTP step used (only when newer than the
    /// last one: a code counts once) and the failures of `clearing` forgotten, with `audit`. False
    /// when the step was used already; nothing is written then.
    func recordSignIn(userID: String, totpStep: Int64?, at: Date, clearing subject: String, audit: AuditRecord) async throws -> Bool
    /// Remembers a failed sign-in under each subject (a login's or an address's throttle key) and
    /// answers each subject's failures since `since`, this one included. `audit` sees those and
    /// names lock-outs; it runs in the same transaction.
    func recordSignInFailure(
        subjects: [String], at: Date, since: Date, audit: @escaping @Sendable ([String: [Date]]) -> [AuditRecord]
    ) async throws -> [String: [Date]]
    /// Each subject's failures since `since`; subjects with none are left out.
    func signInFailures(subjects: [String], since: Date) async throws -> [String: [Date]]
    /// Not audited: bookkeeping of the throttle.
    func forgetSignInFailures(before: Date) async throws
}
