import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    private typealias Columns = SessionRecord.Columns

    public func setSession(
        idHash: String, userID: String?, value: [UInt8], at now: Date, onlyNew: Bool,
        expiry: @escaping @Sendable (_ createdAt: Date, _ stored: Date?) -> Date
    ) async throws -> Bool {
        try await pool.write { db in
            let existing = try SessionRecord.fetchOne(db, key: idHash)?.session
            if existing != nil && onlyNew { return false }
            let createdAt = existing?.createdAt ?? now
            let session = StoredSession(
                idHash: idHash, userID: userID, value: value, createdAt: createdAt, expiresAt: expiry(createdAt, existing?.expiresAt)
            )
            try SessionRecord(session).save(db)
            return true
        }
    }

    public func session(idHash: String) async throws -> StoredSession? {
        try await pool.read { db in try SessionRecord.fetchOne(db, key: idHash)?.session }
    }

    public func renewSession(idHash: String, expiresAt: Date) async throws {
        try await pool.write { db in
            _ = try SessionRecord.filter(key: idHash).updateAll(db, Columns.expiresAt.set(to: StoredValue.millis(expiresAt)))
        }
    }

    public func removeSession(idHash: String) async throws {
        try await pool.write { db in _ = try SessionRecord.deleteOne(db, key: idHash) }
    }

    @discardableResult
    public func removeSessions(userID: String) async throws -> Int {
        try await pool.write { db in try SessionRecord.filter(Columns.userId == userID).deleteAll(db) }
    }

    @discardableResult
    public func purgeSessions(expiredBefore now: Date, createdBefore: Date) async throws -> Int {
        try await pool.write { db in
            try SessionRecord.filter(Columns.expiresAt < StoredValue.millis(now) || Columns.createdAt < StoredValue.millis(createdBefore)).deleteAll(db)
        }
    }
}
