import Foundation

/// The events published within the duplicate window, by what makes two reports the same:
/// publisher, topic, areas and title (case and surrounding blanks ignored).
public struct RecentEvents: Sendable {
    public struct Fingerprint: Hashable, Sendable {
        var publisher: String
        var topic: String
        var areas: [String]
        var title: String

        public init(_ event: Event) {
            publisher = event.publisher
            topic = event.topic
            areas = event.areas.sorted()
            title = event.title.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        }
    }

    /// The event that was sent, which later copies are measured against.
    public struct Original: Sendable, Equatable {
        public var eventId: String
        public var urgency: Urgency
        public var publishedAt: Date

        public init(eventId: String, urgency: Urgency, publishedAt: Date) {
            self.eventId = eventId
            self.urgency = urgency
            self.publishedAt = publishedAt
        }

        /// The duplicate rule: `event` repeats this one when it comes within `window` and its
        /// urgency is not higher.
        public func isRepeated(by event: Event, within window: Duration) -> Bool {
            event.publishedAt.timeIntervalSince(publishedAt) < window.timeInterval && event.urgency <= urgency
        }
    }

    private var originals: [Fingerprint: Original] = [:]
    /// Every recorded event in the order recorded, so forgetting costs only what it forgets.
    private var recorded: [(fingerprint: Fingerprint, publishedAt: Date)] = []
    private var head = 0

    public init() {}

    /// The earlier event this one repeats (same fingerprint, within `window`, no rise in urgency),
    /// or nil, and then `event` becomes the one later copies are measured against. One fingerprint
    /// per event: it sorts the areas and folds the title.
    public mutating func admit(_ event: Event, within window: Duration, now: Date) -> Original? {
        let fingerprint = Fingerprint(event)
        if let original = originals[fingerprint], original.isRepeated(by: event, within: window) { return original }
        forget(before: now.addingTimeInterval(-window.timeInterval))
        originals[fingerprint] = Original(eventId: event.id, urgency: event.urgency, publishedAt: event.publishedAt)
        recorded.append((fingerprint, event.publishedAt))
        return nil
    }

    /// Takes back `record(event)` for an event that was not stored after all.
    public mutating func remove(_ event: Event) {
        let fingerprint = Fingerprint(event)
        if originals[fingerprint]?.eventId == event.id { originals[fingerprint] = nil }
    }

    /// Forgets what lies outside the window, so memory stays bounded by the events of one window.
    public mutating func forget(before cutoff: Date) {
        while head < recorded.count, recorded[head].publishedAt < cutoff {
            let (fingerprint, publishedAt) = recorded[head]
            if originals[fingerprint]?.publishedAt == publishedAt { originals[fingerprint] = nil }
            head += 1
        }
        if head > 1024, head * 2 > recorded.count {
            recorded.removeFirst(head)
            head = 0
        }
    }
}
