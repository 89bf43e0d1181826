/// How one subscription relates to one event, spelled out for `explain`: which subscribed area
/// met which event area and how, whether the topic and the urgency passed.
public struct MatchExplanation: Sendable, Equatable {
    public enum Relation: String, Sendable, Codable {
        /// The subscription names the event's area itself.
        case same
        /// The subscribed area contains the event's area (a Kreis subscription hears of its Gemeinden).
        case ancestor
        /// The event covers the subscribed area (an event for the region reaches everyone in it).
        case descendant
    }

    public struct AreaMatch: Sendable, Equatable {
        public var subscribed: String
        public var event: String
        public var relation: Relation
    }

    /// The first subscribed area that met an event area, nearest relation first; nil when none did.
    public var area: AreaMatch?
    /// Nil when the subscription takes every topic.
    public var subscribedTopics: [String]
    public var topicMatches: Bool
    public var urgencyMatches: Bool

    public var matches: Bool { area != nil && topicMatches && urgencyMatches }

    public init(subscription: Subscription, event: Event, areas tree: AreaTree) {
        var found: AreaMatch?
        search: for relation in [Relation.same, .ancestor, .descendant] {
            for eventArea in event.areas {
                for subscribed in subscription.areas {
                    let related = switch relation {
                    case .same: subscribed == eventArea
                    case .ancestor: subscribed != eventArea && tree.isWithin(eventArea, subscribed)
                    case .descendant: subscribed != eventArea && tree.isWithin(subscribed, eventArea)
                    }
                    if related {
                        found = AreaMatch(subscribed: subscribed, event: eventArea, relation: relation)
                        break search
                    }
                }
            }
        }
        area = found
        subscribedTopics = subscription.topics
        topicMatches = subscription.topics.isEmpty || subscription.topics.contains(event.topic)
        urgencyMatches = event.urgency >= subscription.minUrgency
    }

    /// Why it does not match, in the words an auditor reads; nil when it matches.
    public var mismatch: String? {
        if area == nil { return "none of its areas meets the event's areas" }
        if !topicMatches { return "topic not subscribed (subscribed: \(subscribedTopics.joined(separator: ", ")))" }
        if !urgencyMatches { return "urgency below the subscription's minimum" }
        return nil
    }
}
