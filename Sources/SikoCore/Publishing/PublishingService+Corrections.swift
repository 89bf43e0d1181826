import Foundation
import SikoModel

/// Updates and cancellations (`POST /v1/events/{id}/update` and `/cancel`, CAP Update and Cancel,
/// a bulletin's correction): they reach the original's recipients, as `CorrectionPlan` says.
extension PublishingService {
    static let reasonLimit = TextLimit(characters: 2000)

    /// A new version of an event by its publisher: its own topic, areas and texts, the original's recipients.
    public func update(_ id: String, with submission: EventSubmission, idempotencyKey: String?, by identity: Identity) async throws -> PublishResult {
        try identity.require(.eventsPublish)
        // The body is checked before the key, as for POST /v1/events: a bad body is never a replay.
        let now = clock.now()
        var event = try engine.admit(submission, by: identity, now: now)
        if let earlier = try await earlier(idempotencyKey, by: identity) { return earlier }
        let chain = try await correctable(id, by: identity)
        event.messageType = .update
        event.references = Self.references(to: id, in: chain)
        return try await correct(event, chain: chain, idempotencyKey: idempotencyKey, by: identity, note: nil, now: now)
    }

    /// The end of an event: its recipients hear that it is off, with the reason; what was not sent yet stays unsent.
    public func cancel(_ id: String, reason: String?, idempotencyKey: String?, by identity: Identity) async throws -> PublishResult {
        try identity.require(.eventsPublish)
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if reason.isEmpty { throw ServiceError.invalid("reason", .required) }
        if let problem = Self.reasonLimit.problem(with: reason) { throw ServiceError.invalid("reason", problem) }
        if let earlier = try await earlier(idempotencyKey, by: identity) { return earlier }
        let chain = try await correctable(id, by: identity)
        let now = clock.now()
        let event = Self.cancellation(of: chain, id: Identifier.make("evt", at: now), body: reason, references: Self.references(to: id, in: chain), now: now)
        return try await correct(event, chain: chain, idempotencyKey: idempotencyKey, by: identity, note: nil, now: now)
    }

    /// An approved Berichtigung or Aufhebung of a bulletin, as the Geschäftsstelle's update or
    /// cancellation of the bulletin's event; `key` finds it again when the approval is repeated.
    func publishApproved(_ correction: BulletinCorrection, content: EventSubmission, key: String, by identity: Identity, note: String) async throws -> PublishResult {
        if let earlier = try await earlier(key, by: identity) { return earlier }
        let chain = try await correctable(correction.event, by: identity)
        let now = clock.now()
        let references = Self.references(to: correction.event, in: chain)
        var event: Event
        if correction.kind == .cancel {
            event = Self.cancellation(of: chain, id: Identifier.make("evt", at: now), body: content.body, references: references, now: now)
        } else {
            var content = content
            content.externalId = nil
            event = try engine.admit(content, by: identity, now: now)
            event.messageType = .update
            event.references = references
        }
        return try await correct(event, chain: chain, idempotencyKey: key, by: identity, note: note, now: now)
    }

    /// An event and everything that updated, cancelled or answered it, oldest first, as far as the caller may read it.
    public func chain(of id: String, by identity: Identity) async throws -> [Event] {
        let event = try await event(id: id, by: identity).event
        let chain = try await events.chain(of: event.original)
        if identity.owns(event.publisher) { return chain }
        // A recipient sees what reached it (the original and the corrections it was told of) and the event it asked for.
        var shown: [Event] = []
        for link in chain {
            let own = try await deliveries.deliveries(matching: DeliveryQuery(eventId: link.id, visibleTo: identity.partner, limit: 1))
            if !own.isEmpty || link.id == event.id { shown.append(link) }
        }
        return shown
    }

    /// The chain of an event the caller may correct: its partner published it, and it is not cancelled.
    func correctable(_ id: String, by identity: Identity) async throws -> [Event] {
        guard let event = try await events.event(id: id) else { throw ServiceError.notFound("event \(id)") }
        guard identity.partner == event.publisher else {
            _ = try await self.event(id: id, by: identity)
            throw ServiceError.notPublisher(event: id)
        }
        let chain = try await events.chain(of: event.original)
        try Self.requireOpen(chain)
        return chain
    }

    /// A cancelled chain takes no further update or cancellation.
    static func requireOpen(_ chain: [Event]) throws(ServiceError) {
        guard let original = chain.first, let cancel = chain.first(where: { $0.messageType == .cancel }) else { return }
        throw ServiceError.conflict(
            type: "already-cancelled", title: "Already cancelled",
            detail: "\(original.id) wurde mit \(cancel.id) aufgehoben. (\(original.id) was cancelled by \(cancel.id).)"
        )
    }

    /// The chain's original first, then the event named, if it is a later one.
    static func references(to id: String, in chain: [Event]) -> [String] {
        guard let original = chain.first?.id else { return [id] }
        return original == id ? [original] : [original, id]
    }

    /// A cancellation says what the latest version said it is about.
    static func cancellation(of chain: [Event], id: String, body: String?, references: [String], now: Date) -> Event {
        let latest = chain.last { $0.messageType == .alert || $0.messageType == .update } ?? chain[0]
        return Event(
            id: id, externalId: nil, publisher: latest.publisher, topic: latest.topic, urgency: latest.urgency, areas: latest.areas,
            title: latest.title, body: body, classification: latest.classification, publishedAt: now, expiresAt: nil, data: nil,
            exercise: latest.exercise, messageType: .cancel, references: references
        )
    }

    /// Stores a correction with its deliveries to the chain's recipients, stopping what it supersedes.
    func correct(_ event: Event, chain: [Event], idempotencyKey: String?, by identity: Identity, note: String?, now: Date) async throws -> PublishResult {
        var reached: [Delivery] = []
        for earlier in chain where earlier.messageType == .alert || earlier.messageType == .update {
            reached += try await deliveries.deliveries(eventID: earlier.id)
        }
        let recipients = CorrectionPlan.recipients(event.messageType, chain: reached)
        let plan = engine.plan(correction: event, chain: chain, recipients: recipients, now: now)
        return try await store(Outgoing(
            event: event, deliveries: plan.deliveries, idempotencyKey: idempotencyKey,
            action: event.messageType == .cancel ? .eventCancel : .eventUpdate, note: ["of \(chain[0].id)", note].compactMap { $0 }.joined(separator: ", "),
            supersedes: plan.supersedes
        ), by: identity, now: now)
    }

    /// The event stored under this key before, answered as the duplicate it is.
    func earlier(_ idempotencyKey: String?, by identity: Identity) async throws -> PublishResult? {
        guard let key = idempotencyKey else { return nil }
        if key.isEmpty || key.utf8.count > 255 { throw ServiceError.invalid("Idempotency-Key", .length(upTo: 255)) }
        guard let earlier = try await events.event(publisher: identity.partner, idempotencyKey: key) else { return nil }
        let counts = try await deliveries.deliveryCounts(eventID: earlier.id)
        return PublishResult(eventId: earlier.id, deliveries: counts.values.reduce(0, +), duplicate: true)
    }
}
