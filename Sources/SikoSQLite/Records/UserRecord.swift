import Foundation
import GRDB
import SikoModel

/// A row of `user_account`: the password as its bcrypt hash, the TOTP secret sealed.
struct UserRecord: StoredRecord {
    static let databaseTableName = "user_account"

    enum Columns {
        static let id = Column("id")
        static let partner = Column("partner")
        static let login = Column("login")
        static let name = Column("name")
        static let roles = Column("roles")
        static let cleared = Column("cleared")
        static let language = Column("language")
        static let passwordHash = Column("password_hash")
        static let totpSecret = Column("totp_secret")
        static let totpLastStep = Column("totp_last_step")
        static let createdAt = Column("created_at")
        static let disabledAt = Column("disabled_at")
        static let lastSignInAt = Column("last_sign_in_at")
    }

    static let columns: [Column] = [
        Columns.id, Columns.partner, Columns.login, Columns.name, Columns.roles, Columns.cleared, Columns.language, Columns.passwordHash,
        Columns.totpSecret, Columns.totpLastStep, Columns.createdAt, Columns.disabledAt, Columns.lastSignInAt,
    ]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    /// With `totpSecret` sealed.
    var user: User

    init(sealed user: User) { self.user = user }

    init(row: Row) throws {
        user = User(
            id: row[0], partner: row[1], login: row[2], name: row[3],
            roles: Set(try StoredValue.list(row[4] as String).map { try StoredValue.enumValue($0) as Role }),
            cleared: row[5], language: try StoredValue.enumValue(row[6] as String), passwordHash: row[7], totpSecret: row[8],
            totpLastStep: row[9], createdAt: StoredValue.date(row[10] as Int64), disabledAt: StoredValue.date(row[11] as Int64?),
            lastSignInAt: StoredValue.date(row[12] as Int64?)
        )
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            user.id, user.partner, user.login, user.name, StoredValue.list(user.roles.sorted().map(\.rawValue)), user.cleared,
            user.language.rawValue, user.passwordHash, user.totpSecret, user.totpLastStep, StoredValue.millis(user.createdAt) as Int64,
            StoredValue.millis(user.disabledAt), StoredValue.millis(user.lastSignInAt),
        ]
    }
}

/// A row of `console_session`, under the hash of its id.
struct SessionRecord: StoredRecord {
    static let databaseTableName = "console_session"

    enum Columns {
        static let idHash = Column("id_hash")
        static let userId = Column("user_id")
        static let value = Column("value")
        static let createdAt = Column("created_at")
        static let expiresAt = Column("expires_at")
    }

    static let columns: [Column] = [Columns.idHash, Columns.userId, Columns.value, Columns.createdAt, Columns.expiresAt]
    static var databaseSelection: [any SQLSelectable] { columns }
    static let sql = RecordSQL(table: databaseTableName, columns: columns)

    var session: StoredSession

    init(_ session: StoredSession) { self.session = session }

    init(row: Row) throws {
        session = StoredSession(
            idHash: row[0], userID: row[1], value: Array(row[2] as Data), createdAt: StoredValue.date(row[3] as Int64),
            expiresAt: StoredValue.date(row[4] as Int64)
        )
    }

    var storedValues: [(any DatabaseValueConvertible)?] {
        [session.idHash, session.userID, Data(session.value), StoredValue.millis(session.createdAt), StoredValue.millis(session.expiresAt)]
    }
}

/// A row of `sign_in_failure`: one failed sign-in under a throttle subject.
enum SignInFailureTable {
    static let name = "sign_in_failure"
    static let subject = Column("subject")
    static let at = Column("at")
}
