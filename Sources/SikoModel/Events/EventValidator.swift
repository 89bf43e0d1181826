import Foundation

/// Turns a submission into an `Event`, or names every field that is wrong.
public struct EventValidator: Sendable {
    public struct Limits: Sendable {
        public var externalId = TextLimit(characters: 128)
        public var title = TextLimit(characters: 200)
        public var body = TextLimit(characters: 20_000)
        public var areas = 50
        public var dataDepth = 16
        public init() {}
    }

    public let reference: ReferenceData
    public let limits: Limits

    public init(reference: ReferenceData, limits: Limits = Limits()) {
        self.reference = reference
        self.limits = limits
    }

    public func validate(
        _ submission: EventSubmission, publisher: String, id: String, now: Date
    ) -> Result<Event, ValidationFailure> {
        var errors: [FieldError] = []
        let externalId = submission.externalId
        if let externalId {
            if externalId.isEmpty {
                errors.append(.init("externalId", .length(upTo: limits.externalId.characters)))
            } else if let problem = limits.externalId.problem(with: externalId) {
                errors.append(.init("externalId", problem))
            }
        }
        let topic = submission.topic ?? ""
        if submission.topic == nil {
            errors.append(.init("topic", .required))
        } else if reference.topic(topic) == nil {
            errors.append(.init("topic", .unknownTopic(topic)))
        }
        var urgency = Urgency.low
        if let raw = submission.urgency {
            if let value = Urgency(rawValue: raw) { urgency = value } else {
                errors.append(.init("urgency", .urgencies))
            }
        } else {
            errors.append(.init("urgency", .required))
        }
        var areas: [String] = []
        if let submitted = submission.areas, !submitted.isEmpty {
            if submitted.count > limits.areas {
                errors.append(.init("areas", .atMost(areas: limits.areas)))
            }
            for (index, reference) in submitted.prefix(limits.areas).enumerated() {
                if let id = self.reference.areas.resolve(reference) {
                    if !areas.contains(id) { areas.append(id) }
                } else {
                    errors.append(.init("areas[\(index)]", .unknownArea(reference, ags: true)))
                }
            }
        } else {
            errors.append(.init("areas", .areaRequired))
        }
        let title = submission.title?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if title.isEmpty {
            errors.append(.init("title", .required))
        } else if let problem = limits.title.problem(with: title) {
            errors.append(.init("title", problem))
        }
        if let body = submission.body, let problem = limits.body.problem(with: body) {
            errors.append(.init("body", problem))
        }
        var classification = Classification.public
        if let raw = submission.classification {
            if let value = Classification(rawValue: raw) { classification = value } else {
                errors.append(.init("classification", "must be public or restricted", de: "muss public oder restricted sein"))
            }
        }
        if let expiresAt = submission.expiresAt, expiresAt <= now {
            errors.append(.init("expiresAt", .inThePast))
        }
        if let data = submission.data, data.depth > limits.dataDepth {
            errors.append(.init(
                "data", "nested deeper than \(limits.dataDepth) levels", de: "ist tiefer als \(limits.dataDepth) Ebenen verschachtelt"
            ))
        }
        guard errors.isEmpty else { return .failure(ValidationFailure(errors: errors)) }
        return .success(Event(
            id: id, externalId: externalId, publisher: publisher, topic: topic, urgency: urgency,
            areas: areas, title: title, body: submission.body, classification: classification,
            publishedAt: now, expiresAt: submission.expiresAt, data: submission.data, exercise: submission.exercise ?? false
        ))
    }
}
