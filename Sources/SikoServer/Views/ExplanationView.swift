import Foundation
import SikoModel

/// The answer of `POST /v1/explain` and `siko explain`: every subscription considered (at most
/// `Explanation.maximumItems`), how it matched or why not, and what the policies would do. Other
/// partners' targets and names are masked.
public struct ExplanationView: Encodable, Sendable {
    struct EventSummary: Encodable {
        var publisher: String
        var topic: String
        var urgency: Urgency
        var areas: [String]
        var classification: Classification
        var exercise: Bool
        var expiresAt: Date?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(publisher, forKey: .publisher)
            try container.encode(topic, forKey: .topic)
            try container.encode(urgency, forKey: .urgency)
            try container.encode(areas, forKey: .areas)
            try container.encode(classification, forKey: .classification)
            try container.encode(exercise, forKey: .exercise)
            try container.encode(expiresAt, forKey: .expiresAt)
        }

        enum CodingKeys: String, CodingKey { case publisher, topic, urgency, areas, classification, exercise, expiresAt }
    }

    struct AreaView: Encodable {
        var subscribed: String
        var event: String
        /// `same`, `ancestor` (the subscribed area contains the event's) or `descendant` (the event covers it).
        var via: MatchExplanation.Relation
    }

    struct TopicView: Encodable {
        /// Empty: every topic.
        var subscribed: [String]
        var matches: Bool
    }

    struct UrgencyView: Encodable {
        var minimum: Urgency
        var event: Urgency
        var matches: Bool
    }

    struct Item: Encodable {
        var subscriptionId: String
        var partner: String
        var name: String
        var channel: ChannelKind
        var target: String
        var matched: Bool
        var area: AreaView?
        var topic: TopicView
        var urgency: UrgencyView
        /// `send`, `defer`, `suppress`, or `none` when it does not match.
        var decision: String
        var sendAt: Date?
        var content: DeliveryContent?
        var rule: PolicyRule?
        var reason: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(subscriptionId, forKey: .subscriptionId)
            try container.encode(partner, forKey: .partner)
            try container.encode(name, forKey: .name)
            try container.encode(channel, forKey: .channel)
            try container.encode(target, forKey: .target)
            try container.encode(matched, forKey: .matched)
            try container.encode(area, forKey: .area)
            try container.encode(topic, forKey: .topic)
            try container.encode(urgency, forKey: .urgency)
            try container.encode(decision, forKey: .decision)
            try container.encode(sendAt, forKey: .sendAt)
            try container.encode(content, forKey: .content)
            try container.encode(rule, forKey: .rule)
            try container.encode(reason, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey {
            case subscriptionId, partner, name, channel, target, matched, area, topic, urgency, decision, sendAt, content, rule, reason
        }
    }

    var event: EventSummary
    /// Subscriptions whose areas meet the event's.
    var considered: Int
    /// Deliveries publishing would plan (one per matched subscription, suppressed ones included).
    var deliveries: Int
    var send: Int
    var `defer`: Int
    var suppress: Int
    var subscriptions: [Item]
    /// `subscriptions` lists fewer than `considered`.
    var truncated: Bool

    public init(_ explanation: Explanation) {
        let event = explanation.event
        self.event = EventSummary(
            publisher: event.publisher, topic: event.topic, urgency: event.urgency, areas: event.areas,
            classification: event.classification, exercise: event.exercise, expiresAt: event.expiresAt
        )
        subscriptions = explanation.items.map { item in
            let subscription = item.subscription
            var sendAt: Date?
            if case .send(let at)? = item.decision?.action { sendAt = at }
            return Item(
                subscriptionId: subscription.id, partner: subscription.partner,
                name: subscription.name, channel: subscription.channel,
                target: subscription.target, matched: item.decision != nil,
                area: item.match.area.map { AreaView(subscribed: $0.subscribed, event: $0.event, via: $0.relation) },
                topic: TopicView(subscribed: item.match.subscribedTopics, matches: item.match.topicMatches),
                urgency: UrgencyView(minimum: subscription.minUrgency, event: event.urgency, matches: item.match.urgencyMatches),
                decision: item.outcome?.rawValue ?? "none", sendAt: sendAt, content: item.decision?.content, rule: item.decision?.rule,
                reason: item.decision.map { $0.reason } ?? item.match.mismatch
            )
        }
        let counts = explanation.counts
        considered = counts.considered
        deliveries = counts.matched
        send = counts.send
        self.defer = counts.defer
        suppress = counts.suppress
        truncated = explanation.truncated
    }

    /// A table for people at a terminal: one line per subscription considered.
    public var table: String {
        var lines = [
            "event: \(event.topic), \(event.urgency.rawValue), \(event.areas.joined(separator: ",")), \(event.classification.rawValue)"
                + (event.exercise ? ", ÜBUNG" : "") + " by \(event.publisher)",
            "considered \(considered), matched \(deliveries): send \(send), defer \(self.defer), suppress \(suppress)",
            "",
        ]
        for item in subscriptions {
            let area = item.area.map { "\($0.subscribed)→\($0.event) (\($0.via.rawValue))" } ?? "-"
            var line = "\(item.subscriptionId)  \(item.partner)  \(item.channel.rawValue)  \(item.target)  area \(area)  \(item.decision.uppercased())"
            if let sendAt = item.sendAt, item.decision == "defer" { line += " until \(JSONCoding.format(sendAt))" }
            if let rule = item.rule { line += "  [\(rule.rawValue)]" }
            if let reason = item.reason { line += "  \(reason)" }
            lines.append(line)
        }
        if truncated { lines.append("… and \(considered - subscriptions.count) more") }
        return lines.joined(separator: "\n")
    }
}
