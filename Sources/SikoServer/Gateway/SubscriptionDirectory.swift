import SikoModel
import Synchronization

/// The matching index, shared by every request and kept in step with each subscription change.
public final class SubscriptionDirectory: Sendable {
    private let index: Mutex<SubscriptionIndex>

    public init(reference: ReferenceData, subscriptions: [Subscription]) {
        index = Mutex(SubscriptionIndex(reference: reference, subscriptions: subscriptions))
    }

    public func match(_ event: Event) -> [SubscriptionIndex.Entry] {
        index.withLock { $0.match(event) }
    }

    public func upsert(_ subscription: Subscription) {
        index.withLock { $0.upsert(subscription) }
    }

    public func remove(id: String) {
        index.withLock { $0.remove(id: id) }
    }

    public var count: Int { index.withLock { $0.count } }
}
