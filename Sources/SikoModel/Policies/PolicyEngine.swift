import Foundation

/// What the policies decided for one matched subscription, with the rule and reason an auditor reads.
public struct PolicyDecision: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Send at this time: now, or when the quiet period ends.
        case send(at: Date)
        case suppress
    }

    public var action: Action
    public var content: DeliveryContent
    /// The rule that held the delivery back, deferred it, or cut it to a teaser.
    public var rule: PolicyRule?
    public var reason: String?

    public init(action: Action, content: DeliveryContent = .full, rule: PolicyRule? = nil, reason: String? = nil) {
        self.action = action
        self.content = content
        self.rule = rule
        self.reason = reason
    }
}

/// Applies the policies to the subscriptions an event matched. Pure: time, rules and memory come
/// in, decisions go out, so `explain` (on a copy of the memory) shows exactly what sending does.
///
/// The order is fixed: expiry, duplicate, classification, quiet hours, flood limit. The first rule
/// that suppresses wins; a flood limit counts only what would really be sent.
public struct PolicyEngine: Sendable {
    public let policies: Policies
    public let calendar: Calendar

    public init(policies: Policies, calendar: Calendar = GatewayCalendar.berlin) {
        self.policies = policies
        self.calendar = calendar
    }

    public func decide(_ event: Event, for matches: [SubscriptionIndex.Entry], now: Date, memory: inout PolicyMemory) -> [PolicyDecision] {
        if let expiresAt = event.expiresAt, expiresAt <= now {
            let reason = "the event expired at \(JSONCoding.format(expiresAt))"
            return matches.map { _ in PolicyDecision(action: .suppress, rule: .expired, reason: reason) }
        }
        if let window = policies.duplicateWindow {
            if let original = memory.recentEvents.admit(event, within: window, now: now) {
                let reason = Self.duplicateReason(original: original.eventId, publishedAt: original.publishedAt, window: window)
                return matches.map { _ in PolicyDecision(action: .suppress, rule: .duplicate, reason: reason) }
            }
        }
        var quietPeriods = [QuietPeriod?](repeating: nil, count: policies.quietHours.count)
        return matches.map { match in
            decide(event, match, now: now, memory: &memory, quietPeriods: &quietPeriods)
        }
    }

    /// Whether a quiet-hours rule holds at `now`, worked out once per event: the calendar and the
    /// reason text cost more than everything else a decision does.
    private enum QuietPeriod {
        case notQuiet
        case quiet(end: Date, period: String, deferral: String)
    }

    private func quietPeriod(_ number: Int, now: Date, cache: inout [QuietPeriod?]) -> QuietPeriod {
        if let known = cache[number] { return known }
        let rule = policies.quietHours[number]
        let result: QuietPeriod
        if rule.isQuiet(at: now, calendar: calendar) {
            let end = rule.end(after: now, calendar: calendar)
            let period = "quiet hours '\(rule.name)' \(rule.from)–\(rule.until) for urgency below \(rule.below.rawValue)"
            result = .quiet(end: end, period: period, deferral: "deferred until \(JSONCoding.format(end)) by \(period)")
        } else {
            result = .notQuiet
        }
        cache[number] = result
        return result
    }

    private func decide(
        _ event: Event, _ match: SubscriptionIndex.Entry, now: Date, memory: inout PolicyMemory, quietPeriods: inout [QuietPeriod?]
    ) -> PolicyDecision {
        var content = DeliveryContent.full
        var rule: PolicyRule?
        var reason: String?
        // Public events skip the rule's call: this runs once per match, and most events are public.
        let verdict: ClassificationRule.Verdict = event.classification == .public
            ? .send(.full, reason: nil) : policies.classification.verdict(for: event.classification, subscription: match.subscription)
        switch verdict {
        case .suppress(let why):
            return PolicyDecision(action: .suppress, rule: .classification, reason: why)
        case .send(let verdict, let why):
            content = verdict
            if verdict == .teaser { rule = .classification; reason = why }
        }

        var sendAt = now
        for (number, quiet) in policies.quietHours.enumerated() {
            guard let mode = quiet.mode(for: match.subscription, urgency: event.urgency),
                  case .quiet(let end, let period, let deferral) = quietPeriod(number, now: now, cache: &quietPeriods) else { continue }
            if mode == .suppress {
                return PolicyDecision(action: .suppress, content: content, rule: .quietHours, reason: period)
            }
            if let expiresAt = event.expiresAt, expiresAt <= end {
                return PolicyDecision(
                    action: .suppress, content: content, rule: .expired,
                    reason: "the event expires at \(JSONCoding.format(expiresAt)), before \(period) end at \(JSONCoding.format(end))"
                )
            }
            sendAt = end
            rule = .quietHours
            reason = deferral
            break
        }

        let channel = match.subscription.channel
        if let limit = policies.floodLimits[channel] {
            let (admitted, sent) = memory.sends.admit(
                channel: channel, target: match.subscription.target, at: now, since: now.addingTimeInterval(-limit.per.timeInterval),
                max: limit.max, force: event.urgency == .critical
            )
            if !admitted {
                return PolicyDecision(action: .suppress, content: content, rule: .floodLimit, reason: Self.floodReason(count: sent, limit: limit))
            }
        }
        return PolicyDecision(action: .send(at: sendAt), content: content, rule: rule, reason: reason)
    }

    /// Why a copy was suppressed; the same words whichever gateway found the original.
    public static func duplicateReason(original: String, publishedAt: Date, window: Duration) -> String {
        "repeats \(original) of \(JSONCoding.format(publishedAt)) (same publisher, topic, areas and title within \(DurationText.format(window)), urgency not higher)"
    }

    public static func floodReason(count: Int, limit: FloodLimit) -> String {
        "\(count) \(limit.channel.rawValue) deliveries to this target within \(DurationText.format(limit.per)) (at most \(limit.max); critical events are exempt)"
    }
}
