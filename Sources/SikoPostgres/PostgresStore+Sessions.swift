import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: SessionStore {
    /// An existing session is locked while its expiry is worked out from what it stores; a new one
    /// is inserted unless another gateway inserted it first, and then that one is the existing
    /// session (read again: under read committed, a new statement sees the winner's commit).
    public func setSession(
        idHash: String, userID: String?, value: [UInt8], at now: Date, onlyNew: Bool,
        expiry: @escaping @Sendable (_ createdAt: Date, _ stored: Date?) -> Date
    ) async throws -> Bool {
        let bytes = Data(value)
        return try await transaction { connection in
            while true {
                if let stored = try await connection.rows(
                    "SELECT created_at, expires_at FROM console_session WHERE id_hash = \(idHash) FOR UPDATE", logger: self.logger
                ).first {
                    if onlyNew { return false }
                    let (created, expires) = try stored.decode((Int64, Int64).self)
                    let storedExpiry: Date = Stored.date(expires)
                    let expiresAt = expiry(Stored.date(created), storedExpiry)
                    try await connection.execute("""
                        UPDATE console_session SET user_id = \(userID), value = \(bytes), expires_at = \(Stored.millis(expiresAt))
                        WHERE id_hash = \(idHash)
                        """, logger: self.logger)
                    return true
                }
                let inserted = try await connection.execute("""
                    INSERT INTO console_session (\(unescaped: SessionRow.columns))
                    VALUES (\(idHash), \(userID), \(bytes), \(Stored.millis(now)), \(Stored.millis(expiry(now, nil))))
                    ON CONFLICT (id_hash) DO NOTHING
                    """, logger: self.logger)
                if inserted == 1 { return true }
                if onlyNew { return false }
            }
        }
    }

    public func session(idHash: String) async throws -> StoredSession? {
        try await rows("SELECT \(unescaped: SessionRow.columns) FROM console_session WHERE id_hash = \(idHash)").first.map(SessionRow.decode)
    }

    public func renewSession(idHash: String, expiresAt: Date) async throws {
        try await execute("UPDATE console_session SET expires_at = \(Stored.millis(expiresAt)) WHERE id_hash = \(idHash)")
    }

    public func removeSession(idHash: String) async throws {
        try await execute("DELETE FROM console_session WHERE id_hash = \(idHash)")
    }

    @discardableResult
    public func removeSessions(userID: String) async throws -> Int {
        try await execute("DELETE FROM console_session WHERE user_id = \(userID)")
    }

    @discardableResult
    public func purgeSessions(expiredBefore now: Date, createdBefore: Date) async throws -> Int {
        try await execute("""
            DELETE FROM console_session WHERE expires_at < \(Stored.millis(now)) OR created_at < \(Stored.millis(createdBefore))
            """)
    }
}

/// Rows of `console_session`, under the hash of the session's id.
enum SessionRow {
    static let columns = "id_hash, user_id, value, created_at, expires_at"

    static func decode(_ row: PostgresRow) throws -> StoredSession {
        var cells = Cells(row)
        return StoredSession(
            idHash: try cells.next(), userID: try cells.next(), value: Array(try cells.next(Data.self)), createdAt: try cells.millis(),
            expiresAt: try cells.millis()
        )
    }
}
