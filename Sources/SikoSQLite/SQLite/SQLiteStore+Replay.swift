import Foundation
import GRDB

extension SQLiteStore {
    public func rememberSignedRequest(keyID: String, requestID: String, signedAt: Date, forgetBefore: Date) async throws -> Bool {
        try await pool.write { db in
            // Forgetting on every insert keeps the table as small as the window's traffic; with
            // the index it is one range seek, and each row is deleted once.
            try db.cachedStatement(sql: "DELETE FROM signed_request WHERE signed_at < ?").execute(arguments: [SQLiteRows.millis(forgetBefore)])
            try db.cachedStatement(sql: "INSERT INTO signed_request (key_id, request_id, signed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [keyID, requestID, SQLiteRows.millis(signedAt)])
            return db.changesCount == 1
        }
    }
}
