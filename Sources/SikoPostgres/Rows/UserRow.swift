import Foundation
import PostgresNIO
import SikoModel

/// Rows of `user_account`: the password as its bcrypt hash, the TOTP secret sealed.
enum UserRow {
    static let columns = """
        id, partner, login, name, roles, cleared, language, password_hash, totp_secret, totp_last_step, created_at, disabled_at,
        last_sign_in_at
        """

    /// With the TOTP secret as stored (sealed).
    static func decode(_ row: PostgresRow) throws -> User {
        var cells = Cells(row)
        return User(
            id: try cells.next(), partner: try cells.next(), login: try cells.next(), name: try cells.next(),
            roles: Set(try Stored.list(try cells.next(String.self)).map { try Stored.enumValue($0) as Role }),
            cleared: try cells.next(), language: try cells.enumValue(), passwordHash: try cells.next(), totpSecret: try cells.next(),
            totpLastStep: try cells.next(), createdAt: try cells.millis(), disabledAt: try cells.optionalMillis(),
            lastSignInAt: try cells.optionalMillis()
        )
    }

    /// `user` with its TOTP secret sealed already. A login taken in any case inserts nothing (the
    /// unique index on `lower(login)`, as SQLite's `NOCASE`); any other clash is an error.
    static func insertUnlessLoginTaken(_ user: User) -> PostgresQuery {
        """
        INSERT INTO user_account (\(unescaped: columns)) VALUES (
            \(user.id), \(user.partner), \(user.login), \(user.name), \(roles(user)), \(user.cleared), \(user.language.rawValue),
            \(user.passwordHash), \(user.totpSecret), \(user.totpLastStep), \(Stored.millis(user.createdAt)), \(Stored.millis(user.disabledAt)),
            \(Stored.millis(user.lastSignInAt))
        ) ON CONFLICT ((lower(login))) DO NOTHING
        """
    }

    /// Every column but the id, as the embedded store writes a changed user whole.
    static func update(_ user: User) -> PostgresQuery {
        """
        UPDATE user_account SET
            partner = \(user.partner), login = \(user.login), name = \(user.name), roles = \(roles(user)), cleared = \(user.cleared),
            language = \(user.language.rawValue), password_hash = \(user.passwordHash), totp_secret = \(user.totpSecret),
            totp_last_step = \(user.totpLastStep), created_at = \(Stored.millis(user.createdAt)), disabled_at = \(Stored.millis(user.disabledAt)),
            last_sign_in_at = \(Stored.millis(user.lastSignInAt))
        WHERE id = \(user.id)
        """
    }

    private static func roles(_ user: User) -> String { Stored.list(user.roles.sorted().map(\.rawValue)) }
}
