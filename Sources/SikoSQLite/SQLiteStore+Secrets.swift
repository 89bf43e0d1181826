import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    public func sealedSecret(named name: String, create: @escaping @Sendable () -> String) async throws -> String {
        try await pool.write { db in
            if let stored = try SecretRecord.fetchOne(db, key: name) { return stored.value }
            let value = create()
            try SecretRecord(name: name, value: value).insert(db)
            return value
        }
    }

    /// A database from before sealing holds its secrets in the clear: each is sealed once.
    public func sealCleartextSecrets(with seal: @escaping @Sendable (String) -> String) async throws {
        typealias S = SubscriptionRecord.Columns
        try await pool.write { db in
            let subscriptions = SubscriptionRecord.select(S.id, S.secret).filter(S.secret != nil && !S.secret.like(Self.sealedPattern))
            for row in try Row.fetchAll(db, subscriptions) {
                try SubscriptionRecord.filter(key: row[0] as String).updateAll(db, S.secret.set(to: seal(row[1] as String)))
            }
            for secret in try SecretRecord.filter(!SQL("CAST(\(SecretRecord.Columns.value) AS TEXT)").like(Self.sealedPattern)).fetchAll(db) {
                try SecretRecord.filter(key: secret.name).updateAll(db, SecretRecord.Columns.value.set(to: seal(secret.value)))
            }
        }
    }

    /// What `SecretSealing` writes starts so; anything else was written in the clear.
    private static let sealedPattern = "sealed:%"
}
