import Foundation
import GRDB
import SikoModel

extension SQLiteStore {
    public func subscriptionCount(partner: String) async throws -> Int {
        try await pool.read { db in try Self.subscriptionCount(partner: partner, db: db) }
    }

    public func insertSubscription(_ subscription: Subscription, secret: String?, maxPerPartner: Int, audit: AuditRecord) async throws -> Bool {
        let secret = secret.map(sealer.seal)
        // A write transaction is IMMEDIATE: it holds the one write lock from the count on, so no
        // other create (in this process or another) can insert between the count and the insert.
        return try await pool.write { db in
            guard try Self.subscriptionCount(partner: subscription.partner, db: db) < maxPerPartner else { return false }
            try Self.insert(subscription, sealedSecret: secret, db: db)
            try Self.appendAudit([audit], db: db)
            return true
        }
    }

    /// Answered from the partial index `subscription_partner`, which holds the live rows only.
    private static func subscriptionCount(partner: String, db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM subscription WHERE partner = ? AND deleted_at IS NULL"), arguments: [partner]
        ) ?? 0
    }
}
