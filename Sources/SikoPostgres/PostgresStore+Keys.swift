import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: KeyStore {
    public func insertKey(_ key: StoredKey, audit: AuditRecord) async throws {
        var sealed = key
        sealed.signingSecret = key.signingSecret.map(sealer.seal)
        let insert = KeyRow.insert(sealed)
        try await transaction { connection in
            try await connection.execute(insert, logger: self.logger)
            try await Self.appendAudit([audit], on: connection, logger: self.logger)
        }
    }

    public func key(hash: String) async throws -> StoredKey? {
        try await rows("SELECT \(unescaped: KeyRow.columns) FROM api_key WHERE hash = \(hash)").first.map { try opened(KeyRow.decode($0)) }
    }

    /// The key with its signing secret unsealed (views never show it).
    func opened(_ key: StoredKey) throws -> StoredKey {
        var key = key
        key.signingSecret = try key.signingSecret.map(sealer.unseal)
        return key
    }

    public func keys(partner: String?) async throws -> [StoredKey] {
        try await rows("""
            SELECT \(unescaped: KeyRow.columns) FROM api_key WHERE (\(partner)::text IS NULL OR partner = \(partner))
            ORDER BY created_at DESC, \(unescaped: KeyRow.idOrder)
            """).map { try opened(KeyRow.decode($0)) }
    }

    /// One statement: the row lock makes a concurrent revocation wait and then keep the first time.
    /// The audit sees the key as stored, its secret sealed, as in the embedded store.
    public func revokeKey(id: String, at date: Date, audit: @escaping @Sendable (StoredKey) -> AuditRecord) async throws -> StoredKey? {
        let key = try await transaction { connection -> StoredKey? in
            guard let row = try await connection.rows("""
                UPDATE api_key SET revoked_at = COALESCE(revoked_at, \(Stored.millis(date))) WHERE id = \(id) RETURNING \(unescaped: KeyRow.columns)
                """, logger: self.logger).first
            else { return nil }
            let key = try KeyRow.decode(row)
            try await Self.appendAudit([audit(key)], on: connection, logger: self.logger)
            return key
        }
        return try key.map(opened)
    }

    public func credentialVersion() async throws -> Int64 {
        try await rows("SELECT version FROM credential_version WHERE id = 1").first?.decode(Int64.self) ?? 0
    }

    public func touchKey(id: String, at date: Date) async throws {
        try await execute("UPDATE api_key SET last_used_at = \(Stored.millis(date)) WHERE id = \(id)")
    }
}

extension PostgresStore: ReplayMemory {
    /// One statement, so one round trip on every signed request. Forgetting skips rows another
    /// gateway is forgetting at the same moment instead of waiting for them. The primary key makes
    /// "seen before?" atomic across gateways: a second insert of the same request waits for the
    /// first and then conflicts. A remembered request older than `forgetBefore` counts as
    /// forgotten (the embedded store deletes it before inserting): its row is renewed rather than
    /// deleted, since one statement cannot delete and insert the same key.
    public func rememberSignedRequest(keyID: String, requestID: String, signedAt: Date, forgetBefore: Date) async throws -> Bool {
        let before = Stored.millis(forgetBefore)
        return try await !rows("""
            WITH forgotten AS (
                DELETE FROM signed_request WHERE (key_id, request_id) IN (
                    SELECT key_id, request_id FROM signed_request
                    WHERE signed_at < \(before) AND NOT (key_id = \(keyID) AND request_id = \(requestID))
                    FOR UPDATE SKIP LOCKED
                )
            )
            INSERT INTO signed_request (key_id, request_id, signed_at) VALUES (\(keyID), \(requestID), \(Stored.millis(signedAt)))
            ON CONFLICT (key_id, request_id) DO UPDATE SET signed_at = excluded.signed_at WHERE signed_request.signed_at < \(before)
            RETURNING 1
            """).isEmpty
    }
}

/// Rows of `api_key`: the key's hash, never the key; its signing secret sealed.
enum KeyRow {
    static let columns = "id, partner, hash, scopes, created_at, expires_at, revoked_at, last_used_at, signing_secret, user_id"

    /// Ties of `created_at` in byte order, as SQLite sorts, whatever the database's collation.
    static let idOrder = "id COLLATE \"C\""

    /// With the signing secret as stored (sealed).
    static func decode(_ row: PostgresRow) throws -> StoredKey {
        var cells = Cells(row)
        return StoredKey(
            id: try cells.next(), partner: try cells.next(), hash: try cells.next(),
            scopes: Set(try cells.next(String.self).split(separator: " ").compactMap { Scope(rawValue: String($0)) }),
            createdAt: try cells.millis(), expiresAt: try cells.optionalMillis(), revokedAt: try cells.optionalMillis(),
            lastUsedAt: try cells.optionalMillis(), signingSecret: try cells.next(), userID: try cells.next()
        )
    }

    /// `key` with its signing secret sealed already.
    static func insert(_ key: StoredKey) -> PostgresQuery {
        """
        INSERT INTO api_key (\(unescaped: columns)) VALUES (
            \(key.id), \(key.partner), \(key.hash), \(key.scopes.map(\.rawValue).sorted().joined(separator: " ")), \(Stored.millis(key.createdAt)),
            \(Stored.millis(key.expiresAt)), \(Stored.millis(key.revokedAt)), \(Stored.millis(key.lastUsedAt)), \(key.signingSecret), \(key.userID)
        )
        """
    }
}
