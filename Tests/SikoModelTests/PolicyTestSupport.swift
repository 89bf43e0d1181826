import SikoTestSupport
import Foundation
import SikoModel

extension PolicyEngine {
    /// Decides for plain subscriptions with a fresh or given memory.
    func decide(_ event: Event, _ subscriptions: [Subscription], memory: inout PolicyMemory) -> [PolicyDecision] {
        decide(event, for: subscriptions.map(SubscriptionIndex.Entry.init), now: event.publishedAt, memory: &memory)
    }

    func decide(_ event: Event, _ subscriptions: Subscription...) -> [PolicyDecision] {
        var memory = PolicyMemory()
        return decide(event, subscriptions, memory: &memory)
    }
}

let nightRule = QuietHoursRule(
    name: "nachtruhe", from: TimeOfDay("22:00")!, until: TimeOfDay("06:00")!, below: .high, channels: [.sms: .defer, .email: .suppress]
)
