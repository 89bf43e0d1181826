import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = UserRecord.Columns

    public func insertUser(_ user: User, audit: AuditRecord) async throws -> Bool {
        let record = UserRecord(sealed: sealed(user))
        return try await pool.write { db in
            guard try UserRecord.filter(Columns.login == user.login).fetchCount(db) == 0 else { return false }
            try record.insert(db)
            try Self.appendAudit([audit], db: db)
            return true
        }
    }

    private static let userByID = "SELECT \(UserRecord.sql.selection) FROM \(UserRecord.databaseTableName) WHERE \(Columns.id.name) = ?"

    public func user(id: String) async throws -> User? {
        // Every request with a person's key asks this: prepared once per connection.
        try await pool.read { db in try UserRecord.fetchOne(db.cachedStatement(sql: Self.userByID), arguments: [id]) }.map(opened)
    }

    public func user(login: String) async throws -> User? {
        try await pool.read { db in try UserRecord.filter(Columns.login == login).fetchOne(db) }.map(opened)
    }

    public func users(partner: String?) async throws -> [User] {
        try await pool.read { db in
            var request = UserRecord.order(Columns.login)
            if let partner { request = request.filter(Columns.partner == partner) }
            return try request.fetchAll(db)
        }.map(opened)
    }

    public func userCount() async throws -> Int {
        try await pool.read { db in try UserRecord.fetchCount(db) }
    }

    public func updateUser(
        id: String, change: @escaping @Sendable (inout User) throws -> Void, audit: @escaping @Sendable (User) -> AuditRecord
    ) async throws -> User? {
        try await pool.write { db in
            guard let stored = try UserRecord.fetchOne(db, key: id) else { return nil }
            var user = try self.opened(stored)
            try change(&user)
            user.id = id
            try UserRecord(sealed: self.sealed(user)).update(db)
            try Self.appendAudit([audit(user)], db: db)
            return user
        }
    }

    public func disableUser(id: String, at date: Date, audit: @escaping @Sendable (UserDisabling) -> [AuditRecord]) async throws -> UserDisabling? {
        typealias K = KeyRecord.Columns
        return try await pool.write { db in
            guard let stored = try UserRecord.fetchOne(db, key: id) else { return nil }
            var user = try self.opened(stored)
            if user.disabledAt == nil {
                user.disabledAt = date
                try UserRecord.filter(key: id).updateAll(db, Columns.disabledAt.set(to: StoredValue.millis(date)))
            }
            let open = K.userId == id && K.revokedAt == nil
            var keys = try KeyRecord.filter(open).order(K.createdAt.desc, K.id).fetchAll(db).map(self.opened)
            try KeyRecord.filter(open).updateAll(db, K.revokedAt.set(to: StoredValue.millis(date)))
            for index in keys.indices { keys[index].revokedAt = date }
            let ended = try SessionRecord.filter(SessionRecord.Columns.userId == id).deleteAll(db)
            let disabling = UserDisabling(user: user, revokedKeys: keys, endedSessions: ended)
            try Self.appendAudit(audit(disabling), db: db)
            return disabling
        }
    }

    public func recordSignIn(userID: String, totpStep: Int64?, at date: Date, clearing subject: String, audit: AuditRecord) async throws -> Bool {
        try await pool.write { db in
            var request = UserRecord.filter(key: userID)
            var assignments = [Columns.lastSignInAt.set(to: StoredValue.millis(date))]
            if let totpStep {
                request = request.filter(Columns.totpLastStep == nil || Columns.totpLastStep < totpStep)
                assignments.append(Columns.totpLastStep.set(to: totpStep))
            }
            guard try request.updateAll(db, assignments) == 1 else { return false }
            try db.execute(sql: "DELETE FROM \(SignInFailureTable.name) WHERE \(SignInFailureTable.subject.name) = ?", arguments: [subject])
            try Self.appendAudit([audit], db: db)
            return true
        }
    }

    public func recordSignInFailure(
        subjects: [String], at date: Date, since: Date, audit: @escaping @Sendable ([String: [Date]]) -> [AuditRecord]
    ) async throws -> [String: [Date]] {
        try await pool.write { db in
            for subject in subjects {
                try db.execute(
                    sql: "INSERT INTO \(SignInFailureTable.name) (\(SignInFailureTable.subject.name), \(SignInFailureTable.at.name)) VALUES (?, ?)",
                    arguments: [subject, StoredValue.millis(date)]
                )
            }
            let failures = try Self.failures(subjects: subjects, since: since, db: db)
            try Self.appendAudit(audit(failures), db: db)
            return failures
        }
    }

    public func signInFailures(subjects: [String], since: Date) async throws -> [String: [Date]] {
        try await pool.read { db in try Self.failures(subjects: subjects, since: since, db: db) }
    }

    public func forgetSignInFailures(before date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM \(SignInFailureTable.name) WHERE \(SignInFailureTable.at.name) < ?", arguments: [StoredValue.millis(date)])
        }
    }

    private static func failures(subjects: [String], since: Date, db: Database) throws -> [String: [Date]] {
        var failures: [String: [Date]] = [:]
        let sql = "SELECT \(SignInFailureTable.at.name) FROM \(SignInFailureTable.name) WHERE \(SignInFailureTable.subject.name) = ? AND \(SignInFailureTable.at.name) >= ?"
        for subject in Set(subjects) {
            let times = try Int64.fetchAll(db, sql: sql, arguments: [subject, StoredValue.millis(since)]).map(StoredValue.date)
            if !times.isEmpty { failures[subject] = times }
        }
        return failures
    }

    private func sealed(_ user: User) -> User {
        var user = user
        user.totpSecret = user.totpSecret.map(sealer.seal)
        return user
    }

    private func opened(_ record: UserRecord) throws -> User {
        var user = record.user
        user.totpSecret = try user.totpSecret.map(sealer.unseal)
        return user
    }
}
