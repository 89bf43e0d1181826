import Foundation

/// How a CAP alert without a `siko:topic` parameter finds its topic (`Rules/topics.yaml`, `cap:`):
/// by its `info/event` (compared without regard to case), else by one of its `info/category`.
/// The first rule that fits wins, every `event` rule before any `category` rule.
public struct CAPTopicRule: Sendable, Hashable {
    public enum Match: Sendable, Hashable {
        case event(String)
        case category(String)
    }

    /// CAP 1.2's `info/category` values.
    public static let categories = ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"]

    public var match: Match
    public var topic: String

    public init(_ match: Match, topic: String) {
        self.match = match
        self.topic = topic
    }

    /// The topic for an info block's event and categories, if a rule fits.
    public static func topic(event: String, categories: [String], rules: [CAPTopicRule]) -> String? {
        for rule in rules {
            if case .event(let name) = rule.match, name.caseInsensitiveCompare(event) == .orderedSame { return rule.topic }
        }
        for rule in rules {
            if case .category(let name) = rule.match, categories.contains(name) { return rule.topic }
        }
        return nil
    }
}
