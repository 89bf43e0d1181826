import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: UserStore {
    /// The unique index, not a look first, decides a login taken: two gateways adding the same
    /// login at once, one inserts and the other is told it is taken.
    public func insertUser(_ user: User, audit: AuditRecord) async throws -> Bool {
        let insert = UserRow.insertUnlessLoginTaken(sealed(user))
        return try await transaction { connection in
            guard try await connection.execute(insert, logger: self.logger) == 1 else { return false }
            try await Self.appendAudit([audit], on: connection, logger: self.logger)
            return true
        }
    }

    public func user(id: String) async throws -> User? {
        try await rows("SELECT \(unescaped: UserRow.columns) FROM user_account WHERE id = \(id)").first.map { try opened(UserRow.decode($0)) }
    }

    /// In any case, as SQLite's `NOCASE`; `lower(login)` is what the unique index holds.
    public func user(login: String) async throws -> User? {
        try await rows("SELECT \(unescaped: UserRow.columns) FROM user_account WHERE lower(login) = lower(\(login))")
            .first.map { try opened(UserRow.decode($0)) }
    }

    /// By login in byte order, as SQLite sorts a `NOCASE` column, whatever the database's collation.
    public func users(partner: String?) async throws -> [User] {
        try await rows("""
            SELECT \(unescaped: UserRow.columns) FROM user_account WHERE (\(partner)::text IS NULL OR partner = \(partner))
            ORDER BY lower(login) COLLATE "C"
            """).map { try opened(UserRow.decode($0)) }
    }

    public func userCount() async throws -> Int {
        Int(try await rows("SELECT count(*) FROM user_account").first?.decode(Int64.self) ?? 0)
    }

    /// The row stays locked from the read to the write, so a change made meanwhile through another
    /// gateway is not overwritten with what this one read before it.
    public func updateUser(
        id: String, change: @escaping @Sendable (inout User) throws -> Void, audit: @escaping @Sendable (User) -> AuditRecord
    ) async throws -> User? {
        try await transaction { connection -> User? in
            guard var user = try await self.lockedUser(id: id, on: connection) else { return nil }
            try change(&user)
            user.id = id
            try await connection.execute(UserRow.update(self.sealed(user)), logger: self.logger)
            try await Self.appendAudit([audit(user)], on: connection, logger: self.logger)
            return user
        }
    }

    /// Revoking and listing in one statement: the keys answered are exactly those revoked here, even
    /// while another gateway binds a key to the person.
    public func disableUser(id: String, at date: Date, audit: @escaping @Sendable (UserDisabling) -> [AuditRecord]) async throws -> UserDisabling? {
        let millis = Stored.millis(date)
        return try await transaction { connection -> UserDisabling? in
            guard var user = try await self.lockedUser(id: id, on: connection) else { return nil }
            if user.disabledAt == nil {
                user.disabledAt = date
                try await connection.execute("UPDATE user_account SET disabled_at = \(millis) WHERE id = \(id)", logger: self.logger)
            }
            let keys = try await connection.rows("""
                WITH revoked AS (
                    UPDATE api_key SET revoked_at = \(millis) WHERE user_id = \(id) AND revoked_at IS NULL RETURNING \(unescaped: KeyRow.columns)
                )
                SELECT \(unescaped: KeyRow.columns) FROM revoked ORDER BY created_at DESC, \(unescaped: KeyRow.idOrder)
                """, logger: self.logger).map { try self.opened(KeyRow.decode($0)) }
            let ended = try await connection.execute("DELETE FROM console_session WHERE user_id = \(id)", logger: self.logger)
            let disabling = UserDisabling(user: user, revokedKeys: keys, endedSessions: ended)
            try await Self.appendAudit(audit(disabling), on: connection, logger: self.logger)
            return disabling
        }
    }

    /// The condition on the TOTP step is checked again under the row's lock, so of two sign-ins
    /// with the same code through two gateways, only one passes.
    public func recordSignIn(userID: String, totpStep: Int64?, at date: Date, clearing subject: String, audit: AuditRecord) async throws -> Bool {
        try await transaction { connection in
            let updated = try await connection.execute("""
                UPDATE user_account SET last_sign_in_at = \(Stored.millis(date)), totp_last_step = COALESCE(\(totpStep), totp_last_step)
                WHERE id = \(userID) AND (\(totpStep)::bigint IS NULL OR totp_last_step IS NULL OR totp_last_step < \(totpStep))
                """, logger: self.logger)
            guard updated == 1 else { return false }
            try await connection.execute("DELETE FROM sign_in_failure WHERE subject = \(subject)", logger: self.logger)
            try await Self.appendAudit([audit], on: connection, logger: self.logger)
            return true
        }
    }

    public func recordSignInFailure(
        subjects: [String], at date: Date, since: Date, audit: @escaping @Sendable ([String: [Date]]) -> [AuditRecord]
    ) async throws -> [String: [Date]] {
        try await transaction { connection in
            if !subjects.isEmpty {
                try await connection.execute("""
                    INSERT INTO sign_in_failure (subject, at) SELECT subject, \(Stored.millis(date)) FROM unnest(\(subjects)) AS s(subject)
                    """, logger: self.logger)
            }
            let failures = try Self.failures(try await connection.rows(Self.failuresQuery(subjects: subjects, since: since), logger: self.logger))
            try await Self.appendAudit(audit(failures), on: connection, logger: self.logger)
            return failures
        }
    }

    public func signInFailures(subjects: [String], since: Date) async throws -> [String: [Date]] {
        try Self.failures(try await rows(Self.failuresQuery(subjects: subjects, since: since)))
    }

    public func forgetSignInFailures(before date: Date) async throws {
        try await execute("DELETE FROM sign_in_failure WHERE at < \(Stored.millis(date))")
    }

    private static func failuresQuery(subjects: [String], since: Date) -> PostgresQuery {
        "SELECT subject, at FROM sign_in_failure WHERE subject = ANY(\(Array(Set(subjects)))) AND at >= \(Stored.millis(since)) ORDER BY at"
    }

    /// Each subject's times, oldest first; subjects without any are left out.
    private static func failures(_ rows: [PostgresRow]) throws -> [String: [Date]] {
        var failures: [String: [Date]] = [:]
        for row in rows {
            let (subject, at) = try row.decode((String, Int64).self)
            failures[subject, default: []].append(Stored.date(at))
        }
        return failures
    }

    /// The user, opened, with the row locked to the transaction's end.
    private func lockedUser(id: String, on connection: PostgresConnection) async throws -> User? {
        try await connection.rows("SELECT \(unescaped: UserRow.columns) FROM user_account WHERE id = \(id) FOR UPDATE", logger: logger)
            .first.map { try opened(UserRow.decode($0)) }
    }

    private func sealed(_ user: User) -> User {
        var user = user
        user.totpSecret = user.totpSecret.map(sealer.seal)
        return user
    }

    private func opened(_ user: User) throws -> User {
        var user = user
        user.totpSecret = try user.totpSecret.map(sealer.unseal)
        return user
    }
}
