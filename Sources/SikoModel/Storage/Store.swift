/// Everything durable, as one engine implements it. Callers take the narrowest role they need.
public protocol Store: KeyStore, ReplayMemory, SubscriptionStore, EventStore, DeliveryQueue, DeliveryLog, ReceiptStore,
    SecretStore, AuditLog, RetentionStore, StoreHealth, UserStore, SessionStore, BulletinStore {}

public protocol StoreHealth: Sendable {
    /// Answers when the store can be read and written (readiness): it makes a tiny write, so a
    /// full disk or a read-only file shows here; a refused write throws what `StoreRefusal` reads.
    func ping() async throws
}
