import Foundation
import GRDB

extension SQLiteStore {
    public func rememberSignedRequest(keyID: String, requestID: String, signedAt: Date, forgetBefore: Date) async throws -> Bool {
        let record = SignedRequestRecord(keyId: keyID, requestId: requestID, signedAt: signedAt)
        return try await pool.write { db in
            // Forgetting on every insert keeps the table as small as the window's traffic; with
            // the index it is one range seek, and each row is deleted once.
            try db.cachedStatement(sql: Self.forgetSignedRequests).execute(arguments: [StoredValue.millis(forgetBefore)])
            try db.cachedStatement(sql: Self.rememberSignedRequest).execute(arguments: StatementArguments(record.storedValues))
            return db.changesCount == 1
        }
    }

    private static let forgetSignedRequests =
        "DELETE FROM \(SignedRequestRecord.databaseTableName) WHERE \(SignedRequestRecord.Columns.signedAt.name) < ?"
    private static let rememberSignedRequest = SignedRequestRecord.sql.insert + " ON CONFLICT DO NOTHING"
}
