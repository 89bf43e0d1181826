import Foundation
import SikoModel

/// An instant written as UTC, so every expectation about Berlin wall-clock time is explicit.
func utc(_ text: String) -> Date {
    guard let date = JSONCoding.parse(text) else { fatalError("not a timestamp: \(text)") }
    return date
}

func event(
    id: String = Identifier.make("evt"), publisher: String = "stadt-essen", topic: String = "razzia", urgency: Urgency = .medium,
    areas: [String] = ["essen"], title: String = "Kontrolle Altendorfer Straße", classification: Classification = .public,
    at publishedAt: Date, expiresAt: Date? = nil, exercise: Bool = false
) -> Event {
    Event(
        id: id, externalId: nil, publisher: publisher, topic: topic, urgency: urgency, areas: areas, title: title,
        body: "Text", classification: classification, publishedAt: publishedAt, expiresAt: expiresAt, data: nil, exercise: exercise
    )
}

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
