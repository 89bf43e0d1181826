import Foundation
import SikoChannels
import SikoModel
import Synchronization

/// Bulletins of the Geschäftsstelle with four eyes: its people write, edit and submit them
/// (`bulletins:send`), another person approves (`bulletins:approve`), and approval publishes the
/// bulletin through the same path as any event. Every step is a pure `BulletinWorkflow` step,
/// stored only at the revision it was read at, with its audit entry.
public struct BulletinService: Sendable {
    let store: any BulletinStore
    let publishing: PublishingService
    let explaining: ExplainService
    let engine: RuleEngine
    /// The channels' renderers in force (they change on reload); nil without templates.
    let previewer: @Sendable () -> MessagePreviewer?
    let clock: any WallClock
    /// Approvals under way in this process, so two at once do not both publish (the second answers 409).
    private let approving = Approvals()

    public static let listLimit = 200

    init(
        store: any BulletinStore, publishing: PublishingService, explaining: ExplainService, engine: RuleEngine,
        previewer: @escaping @Sendable () -> MessagePreviewer?, clock: any WallClock
    ) {
        self.store = store
        self.publishing = publishing
        self.explaining = explaining
        self.engine = engine
        self.previewer = previewer
        self.clock = clock
    }

    public func create(_ content: EventSubmission, by identity: Identity) async throws -> Bulletin {
        let person = try Self.person(of: identity, needing: .bulletinsSend)
        let now = clock.now()
        let content = try checked(content, by: identity, now: now)
        let bulletin = BulletinWorkflow.create(id: Identifier.make("blt", at: now), content: content, by: person, at: now)
        try await store.insertBulletin(bulletin, audit: identity.auditRecord(.bulletinCreate, object: bulletin.id, detail: "v1", at: now))
        return bulletin
    }

    /// Berichtigen: a draft that, once approved by another person, updates the published bulletin's
    /// event for its recipients. `content` is the whole corrected content.
    public func correct(id: String, content: EventSubmission, by identity: Identity) async throws -> Bulletin {
        try await startCorrection(of: id, kind: .update, by: identity) { _, now throws(ServiceError) in try checked(content, by: identity, now: now) }
    }

    /// Aufheben: a draft that, once approved by another person, cancels the published bulletin's
    /// event for its recipients, with the reason as its text.
    public func cancel(id: String, reason: String?, by identity: Identity) async throws -> Bulletin {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if reason.isEmpty { throw ServiceError.invalid("reason", .required) }
        if let problem = PublishingService.reasonLimit.problem(with: reason) { throw ServiceError.invalid("reason", problem) }
        return try await startCorrection(of: id, kind: .cancel, by: identity) { published, _ in
            var content = published.current.content
            content.body = reason
            return content
        }
    }

    private func startCorrection(
        of id: String, kind: MessageType, by identity: Identity, content: (Bulletin, Date) throws(ServiceError) -> EventSubmission
    ) async throws -> Bulletin {
        let person = try Self.person(of: identity, needing: .bulletinsSend)
        let published = try await find(id)
        guard published.status == .published, let eventId = published.eventId else {
            throw ServiceError.conflict(
                type: "not-published", title: "Not published",
                detail: "\(id) hat den Status „\(published.status.label)“: berichtigt oder aufgehoben wird nur, was veröffentlicht ist. (\(id) is \(published.status.rawValue); only a published bulletin is corrected or cancelled.)"
            )
        }
        _ = try await publishing.correctable(eventId, by: identity)
        let now = clock.now()
        let correction = BulletinCorrection(kind: kind, bulletin: id, event: eventId)
        let bulletin = BulletinWorkflow.create(
            id: Identifier.make("blt", at: now), content: try content(published, now), by: person, at: now, corrects: correction
        )
        let detail = "v1, \(kind == .cancel ? "cancels" : "corrects") \(id)"
        try await store.insertBulletin(bulletin, audit: identity.auditRecord(.bulletinCreate, object: bulletin.id, detail: detail, at: now))
        return bulletin
    }

    /// A new version with the whole content; the bulletin returns to draft.
    public func edit(id: String, content: EventSubmission, by identity: Identity) async throws -> Bulletin {
        let person = try Self.person(of: identity, needing: .bulletinsSend)
        let content = try checked(content, by: identity, now: clock.now())
        return try await change(id, by: identity, .bulletinEdit) { bulletin, now throws(BulletinRefusal) in
            try BulletinWorkflow.edit(bulletin, content: content, by: person, at: now)
        }
    }

    public func submit(id: String, by identity: Identity) async throws -> Bulletin {
        let person = try Self.person(of: identity, needing: .bulletinsSend)
        return try await change(id, by: identity, .bulletinSubmit) { bulletin, now throws(BulletinRefusal) in
            try BulletinWorkflow.submit(bulletin, by: person, at: now)
        }
    }

    public func withdraw(id: String, by identity: Identity) async throws -> Bulletin {
        let person = try Self.person(of: identity, needing: .bulletinsSend)
        return try await change(id, by: identity, .bulletinWithdraw) { bulletin, now throws(BulletinRefusal) in
            try BulletinWorkflow.withdraw(bulletin, by: person, at: now)
        }
    }

    /// The reason is kept in the bulletin's history, not in the audit, which outlives retention.
    public func reject(id: String, reason: String?, by identity: Identity) async throws -> Bulletin {
        let person = try Self.person(of: identity, needing: .bulletinsApprove)
        return try await change(id, by: identity, .bulletinReject) { bulletin, now throws(BulletinRefusal) in
            try BulletinWorkflow.reject(bulletin, reason: reason, by: person, at: now)
        }
    }

    /// Approves `version` (nil: the current one) and publishes it as an event of the Geschäftsstelle.
    /// The event is published first, under a key naming the bulletin and version, then the approval
    /// is recorded: after a crash between the two, approving again finds the event rather than
    /// publishing a second one.
    public func approve(id: String, version: Int?, by identity: Identity) async throws -> Bulletin {
        let approver = try Self.person(of: identity, needing: .bulletinsApprove)
        guard approving.begin(id) else {
            throw ServiceError.conflict(
                type: "approval-in-progress", title: "Approval in progress",
                detail: "Diese Meldung wird gerade von jemand anderem freigegeben. (This bulletin is being approved by someone else.)"
            )
        }
        defer { approving.end(id) }
        let bulletin = try await find(id)
        let approved = try Self.refusing(id) { () throws(BulletinRefusal) in try BulletinWorkflow.checkApproval(bulletin, version: version, by: approver) }
        let writers = bulletin.writers.map(\.login).joined(separator: ", ")
        let note = "bulletin \(id) v\(approved), written by \(writers), approved by \(approver.login)"
        let key = Bulletin.eventKey(id: id, version: approved)
        let published = if let correction = bulletin.corrects {
            try await publishing.publishApproved(correction, content: bulletin.current.content, key: key, by: identity, note: note)
        } else {
            try await publishing.publishApproved(bulletin.current.content, key: key, by: identity, note: note)
        }
        return try await change(
            id, by: identity, .bulletinApprove, read: bulletin,
            detail: { "v\(approved), \(published.eventId), written by \(writers), approved by \(approver.login)" }
        ) { bulletin, now throws(BulletinRefusal) in
            try BulletinWorkflow.approve(bulletin, version: approved, by: approver, at: now, eventId: published.eventId)
        }
    }

    // MARK: - Steps

    /// Reads the bulletin (unless given), takes the step and stores it at the revision read. When
    /// someone changed it meanwhile, the step is tried on the fresh reading only to say why not.
    private func change(
        _ id: String, by identity: Identity, _ action: AuditAction, read: Bulletin? = nil, detail: (() -> String)? = nil,
        _ step: (Bulletin, Date) throws(BulletinRefusal) -> Bulletin
    ) async throws -> Bulletin {
        var bulletin: Bulletin
        if let read { bulletin = read } else { bulletin = try await find(id) }
        let now = clock.now()
        let next = try Self.refusing(id) { () throws(BulletinRefusal) in try step(bulletin, now) }
        let audit = identity.auditRecord(action, object: id, detail: detail?() ?? "v\(next.version)", at: now)
        if try await store.updateBulletin(next, expecting: bulletin.revision, audit: audit) { return next }
        bulletin = try await find(id)
        _ = try Self.refusing(id) { () throws(BulletinRefusal) in try step(bulletin, now) }
        throw ServiceError.conflict(
            type: "bulletin-changed", title: "Bulletin changed",
            detail: "Die Meldung wurde inzwischen geändert; bitte neu laden und erneut versuchen. (The bulletin changed meanwhile; reload and try again.)"
        )
    }

    func find(_ id: String) async throws -> Bulletin {
        guard let bulletin = try await store.bulletin(id: id) else { throw ServiceError.bulletinNotFound(id) }
        return bulletin
    }

    /// The content as it will be stored: valid as an event of the Geschäftsstelle now, within its
    /// jurisdiction; `externalId` is the gateway's to give (`bulletin:<id>:v<n>`).
    func checked(_ content: EventSubmission, by identity: Identity, now: Date) throws(ServiceError) -> EventSubmission {
        var content = content
        content.externalId = nil
        _ = try engine.admit(content, by: identity, now: now)
        return content
    }

    /// A person of the Geschäftsstelle whose key or session carries `scope`.
    static func person(of identity: Identity, needing scope: Scope) throws(ServiceError) -> BulletinPerson {
        try identity.require(scope)
        guard identity.partner == Identity.centralOffice else { throw .centralOfficeOnly }
        guard let person = identity.person else { throw .personRequired }
        return BulletinPerson(person)
    }

    static func refusing<T>(_ id: String, _ step: () throws(BulletinRefusal) -> T) throws(ServiceError) -> T {
        do {
            return try step()
        } catch {
            switch error {
            case .fourEyes(let approver): throw .fourEyes(bulletin: id, approver: approver.login)
            case .versionConflict(let named, let current): throw .versionConflict(bulletin: id, named: named, current: current)
            case .wrongState(let action, let status): throw .wrongState(bulletin: id, action: action, status: status)
            case .invalid(let field, let message): throw .invalid(field, message)
            }
        }
    }
}

/// The bulletins being approved in this process.
final class Approvals: Sendable {
    private let ids = Mutex<Set<String>>([])

    func begin(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }
    func end(_ id: String) { _ = ids.withLock { $0.remove(id) } }
}
