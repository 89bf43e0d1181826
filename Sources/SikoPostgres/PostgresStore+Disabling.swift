import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore {
    /// The gateway disabling a subscription on its own finding (a 410 in a completion).
    static func disable(_ subscriptionID: String, _ disabling: SubscriptionDisabling, at millis: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute("""
            UPDATE subscription SET enabled = false, disabled_reason = \(disabling.disabledReason), updated_at = \(millis) WHERE id = \(subscriptionID)
            """, logger: logger)
        try await suppressOpenDeliveries(of: subscriptionID, reason: disabling.suppressionReason, at: millis, on: connection, logger: logger)
    }

    /// Nothing more goes to a disabled or deleted subscription: its open deliveries stop, on record.
    static func suppressOpenDeliveries(of subscriptionID: String, reason: String, at millis: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute("""
            UPDATE delivery SET status = \(unescaped: Stored.literal(.suppressed)), last_error = \(reason), next_attempt_at = NULL, updated_at = \(millis)
            WHERE subscription_id = \(subscriptionID) AND \(unescaped: DeliveryRow.isOpen)
            """, logger: logger)
    }
}
