import Foundation

/// Builds or changes a subscription from a submission, naming every wrong field.
public struct SubscriptionValidator: Sendable {
    public let reference: ReferenceData
    public let targets: TargetRules
    /// Channels whose adapters are configured; others answer "channel not configured".
    public let channels: Set<ChannelKind>
    public var maxAreas = 100
    public var maxTopics = 50
    public var nameLimit = TextLimit(characters: 200)

    public init(reference: ReferenceData, targets: TargetRules, channels: Set<ChannelKind>) {
        self.reference = reference
        self.targets = targets
        self.channels = channels
    }

    public func create(
        _ submission: SubscriptionSubmission, partner: String, id: String, now: Date
    ) -> Result<Subscription, ValidationFailure> {
        var errors: [FieldError] = []
        for (field, value) in [("name", submission.name), ("channel", submission.channel), ("target", submission.target)] where value == nil {
            errors.append(.init(field, .required))
        }
        if submission.areas?.isEmpty ?? true { errors.append(.init("areas", .areaRequired)) }
        let draft = Subscription(
            id: id, partner: partner, name: "", areas: [], topics: [], minUrgency: .low, channel: .webhook,
            target: "", language: .de, createdAt: now, updatedAt: now
        )
        return apply(submission, to: draft, now: now, errors: errors)
    }

    public func update(
        _ existing: Subscription, with submission: SubscriptionSubmission, now: Date
    ) -> Result<Subscription, ValidationFailure> {
        if submission.areas?.isEmpty == true {
            return .failure(.init(errors: [.init("areas", .areaRequired)]))
        }
        return apply(submission, to: existing, now: now, errors: [])
    }

    private func apply(
        _ submission: SubscriptionSubmission, to base: Subscription, now: Date, errors initial: [FieldError]
    ) -> Result<Subscription, ValidationFailure> {
        var errors = initial
        var result = base
        if let name = submission.name?.trimmingCharacters(in: .whitespacesAndNewlines) {
            if name.isEmpty {
                errors.append(.init("name", .length(upTo: nameLimit.characters)))
            } else if let problem = nameLimit.problem(with: name) {
                errors.append(.init("name", problem))
            }
            result.name = name
        }
        if let areas = submission.areas {
            if areas.count > maxAreas { errors.append(.init("areas", .atMost(areas: maxAreas))) }
            var resolved: [String] = []
            for (index, value) in areas.prefix(maxAreas).enumerated() {
                if let id = reference.areas.resolve(value) {
                    if !resolved.contains(id) { resolved.append(id) }
                } else {
                    errors.append(.init("areas[\(index)]", .unknownArea(value, ags: false)))
                }
            }
            result.areas = resolved
        }
        if let topics = submission.topics {
            if topics.count > maxTopics { errors.append(.init("topics", .atMost(topics: maxTopics))) }
            for (index, topic) in topics.prefix(maxTopics).enumerated() where reference.topic(topic) == nil {
                errors.append(.init("topics[\(index)]", .unknownTopic(topic)))
            }
            result.topics = Array(Set(topics.prefix(maxTopics))).sorted()
        }
        if let raw = submission.minUrgency {
            if let urgency = Urgency(rawValue: raw) { result.minUrgency = urgency } else {
                errors.append(.init("minUrgency", .urgencies))
            }
        }
        if let raw = submission.language {
            if let language = Language(rawValue: raw) { result.language = language } else {
                errors.append(.init("language", "must be de or en", de: "muss de oder en sein"))
            }
        }
        var formatKnown = true
        if let raw = submission.format {
            if let format = PayloadFormat(rawValue: raw) { result.format = format } else {
                errors.append(.init("format", "must be json or cap", de: "muss json oder cap sein"))
                formatKnown = false
            }
        }
        var channelKnown = true
        if let raw = submission.channel {
            if let channel = ChannelKind(rawValue: raw) {
                if channels.contains(channel) { result.channel = channel } else {
                    errors.append(.init("channel", "channel not configured: \(raw)", de: "Kanal nicht eingerichtet: \(raw)"))
                    channelKnown = false
                }
            } else {
                errors.append(.init("channel", .channels))
                channelKnown = false
            }
        }
        if let target = submission.target { result.target = target }
        if channelKnown, submission.target != nil || submission.channel != nil,
           let problem = targets.problem(with: result.target, channel: result.channel) {
            errors.append(.init("target", problem))
        }
        // Checked against the merged result, so a PATCH of either field alone cannot leave an
        // email or SMS subscription asking for CAP.
        if channelKnown, formatKnown, submission.format != nil || submission.channel != nil,
           result.format == .cap, result.channel != .webhook {
            errors.append(.init(
                "format", "only a webhook receives CAP; email and SMS are read by people",
                de: "nur ein Webhook empfängt CAP; E-Mail und SMS lesen Menschen"
            ))
        }
        if let enabled = submission.enabled {
            result.enabled = enabled
            if enabled { result.disabledReason = nil }
        }
        guard errors.isEmpty else { return .failure(.init(errors: errors)) }
        result.updatedAt = now
        return .success(result)
    }
}
