import Foundation
import SikoCAP
import SikoModel

/// `POST /v1/events` with a CAP 1.2 alert: read without DTD, mapped onto an event, then published,
/// corrected or recorded as its `msgType` and `status` say.
extension PublishingService {
    /// What became of an alert.
    public struct CAPOutcome: Sendable, Equatable {
        public var result: PublishResult
        /// Why nobody was told, when nobody was by design: status Test or System, an Ack or an Error.
        public var unsent: String?
        /// What the gateway made of the alert beyond the plain case: an update of an unknown alert published as new.
        public var note: String?
    }

    public func publishCAP(_ body: [UInt8], by identity: Identity) async throws -> CAPOutcome {
        try identity.require(.eventsPublish)
        if identity.partner == Identity.centralOffice, !identity.has(.eventsPublishDirect) { throw ServiceError.fourEyesRequired }
        let alert = try Self.read(body)
        let message: CAPMessage
        switch CAPMapper(reference: engine.reference).map(alert) {
        case .success(let mapped): message = mapped
        case .failure(let failure): throw ServiceError.invalid(failure)
        }
        let answer = message.messageType == .ack || message.messageType == .error
        let unsent = message.silence ?? (answer ? "msgType \(alert.msgType): recorded, sent to nobody" : nil)
        if let earlier = try await earlier(message.idempotencyKey, by: identity) {
            return CAPOutcome(result: earlier, unsent: unsent, note: nil)
        }
        let chain = try await chain(referencedBy: message, by: identity)
        let now = clock.now()
        func stored(_ event: Event, action: AuditAction, note: String? = nil) async throws -> CAPOutcome {
            let result = try await store(
                Outgoing(event: event, deliveries: [], idempotencyKey: message.idempotencyKey, action: action, note: unsent ?? note), by: identity, now: now
            )
            return CAPOutcome(result: result, unsent: unsent, note: note)
        }
        switch (message.messageType, chain) {
        case (.alert, _), (.update, nil):
            var event = try admit(message, by: identity, now: now)
            event.messageType = .alert
            let note = message.messageType == .update ? "none of the referenced alerts is known here: published as a new alert" : nil
            if unsent != nil { return try await stored(event, action: .eventPublish, note: note) }
            let result = try await matchAndStore(event, idempotencyKey: message.idempotencyKey, by: identity, note: note, now: now)
            return CAPOutcome(result: result, unsent: nil, note: note)
        case (.cancel, nil):
            throw Self.unknownReferences
        case (.update, let chain?), (.cancel, let chain?):
            try Self.requireOpen(chain)
            var event = message.submission == nil
                ? Self.cancellation(of: chain, id: Identifier.make("evt", at: now), body: alert.note, references: [], now: now)
                : try admit(message, by: identity, now: now)
            event.messageType = message.messageType
            event.references = [chain[0].id]
            if unsent != nil { return try await stored(event, action: message.messageType == .cancel ? .eventCancel : .eventUpdate) }
            let result = try await correct(event, chain: chain, idempotencyKey: message.idempotencyKey, by: identity, note: "CAP \(alert.msgType)", now: now)
            return CAPOutcome(result: result, unsent: nil, note: nil)
        case (.ack, _), (.error, _):
            var event: Event
            if message.submission != nil {
                event = try admit(message, by: identity, now: now)
            } else if let chain {
                event = Self.cancellation(of: chain, id: Identifier.make("evt", at: now), body: alert.note, references: [], now: now)
                event.publisher = identity.partner
            } else {
                throw Self.unknownReferences
            }
            event.messageType = message.messageType
            event.references = chain.map { [$0[0].id] } ?? []
            return try await stored(event, action: .eventAnswer)
        }
    }

    /// `GET /v1/events/{id}` with `Accept: application/cap+xml`: the event as the caller may read it, as an alert.
    public func capAlert(id: String, by identity: Identity) async throws -> String {
        let event = try await event(id: id, by: identity).event
        return capWriter.alert(event, reference: engine.reference)
    }

    /// `GET /v1/feeds/cap.atom`: the newest 100 alerts the caller's partner received (all of them for an
    /// admin), older ones after the event `after`.
    public func capFeed(after: String?, by identity: Identity) async throws -> String {
        try identity.require(.deliveriesRead)
        if let after, after.isEmpty || after.count > 64 { throw ServiceError.invalid("after", .length(upTo: 64)) }
        let page = 100
        let recent = try await events.recentEvents(visibleTo: identity.visibleTo, before: after, limit: page)
        var received: [Event] = []
        for event in recent where !event.test {
            // Its own publishes are not what a partner received, unless a subscription of its own was told.
            if let partner = identity.visibleTo, event.publisher == partner,
               try await deliveries.deliveries(matching: DeliveryQuery(eventId: event.id, visibleTo: partner, limit: 1)).isEmpty { continue }
            received.append(event)
        }
        let name = identity.visibleTo.flatMap { engine.reference.partner($0)?.name } ?? "alle Partner"
        return CAPFeed(writer: capWriter).atom(
            received, title: "SiKo Gateway – Meldungen für \(name)", partner: identity.visibleTo,
            next: recent.count == page ? recent.last?.id : nil, reference: engine.reference, now: clock.now()
        )
    }

    static let unknownReferences = ServiceError.invalid(
        "alert.references", "none of the referenced alerts is known here (references name sender,identifier,sent of your earlier alerts)",
        de: "keine der genannten Meldungen ist hier bekannt (references nennt sender,identifier,sent Ihrer früheren Meldungen)"
    )

    /// The body as an alert, or the 400 or 422 that says why not.
    static func read(_ body: [UInt8]) throws -> CAPAlert {
        switch CAPReader.read(body) {
        case .success(let alert):
            return alert
        case .failure(.declaration(let line)):
            throw ServiceError.unreadable(
                type: "xml-declaration-refused", title: "Declarations refused",
                detail: "line \(line): a DOCTYPE or ENTITY declaration is not accepted; a CAP alert needs none"
            )
        case .failure(.encoding(let encoding)):
            throw ServiceError.unreadable(type: "unsupported-encoding", title: "Unsupported encoding", detail: "CAP alerts are read as UTF-8, not \(encoding)")
        case .failure(.malformed(let detail)):
            throw ServiceError.unreadable(type: "malformed-xml", title: "Malformed XML", detail: detail)
        case .failure(.invalid(let errors)):
            throw ServiceError.invalid(ValidationFailure(errors: errors))
        }
    }

    /// The mapped submission as an event of the caller, with the event's own errors named by CAP element.
    private func admit(_ message: CAPMessage, by identity: Identity, now: Date) throws -> Event {
        guard let submission = message.submission else { throw ServiceError.invalid("alert.info", .required) }
        do {
            var event = try engine.admit(submission, by: identity, now: now)
            event.translations = message.translations
            return event
        } catch {
            if case .invalid(let failure) = error { throw ServiceError.invalid(message.renamed(failure)) }
            throw error
        }
    }

    /// The chain of the first reference the caller's partner published: by the alert's `sender,identifier`,
    /// or by an event id the gateway wrote as the identifier of its own CAP.
    private func chain(referencedBy message: CAPMessage, by identity: Identity) async throws -> [Event]? {
        for reference in message.references {
            let key = CAPMessage.idempotencyKey(sender: reference.sender, identifier: reference.identifier)
            var found = try await events.event(publisher: identity.partner, idempotencyKey: key)
            if found == nil, reference.identifier.hasPrefix("evt_"), let event = try await events.event(id: reference.identifier) {
                let answering = message.messageType == .ack || message.messageType == .error
                if event.publisher == identity.partner || answering, (try? await self.event(id: event.id, by: identity)) != nil { found = event }
            }
            guard let event = found else { continue }
            let chain = try await events.chain(of: event.original)
            guard !chain.isEmpty else { continue }
            return chain.filter { $0.messageType == .alert || $0.messageType == .update || $0.messageType == .cancel }
        }
        return nil
    }
}
