import Foundation
import SikoChannels
import SikoModel

/// What the approver looks at before deciding: the bulletin, who would receive it now and what
/// the policies would do, what changed since it was last submitted, and the message as sent.
public struct BulletinReview: Sendable {
    public var bulletin: Bulletin
    /// Nil when the bulletin could not be published now as it stands (see `audienceProblem`).
    public var audience: BulletinAudience?
    /// Why not: an expiry now past, an area no longer known, a jurisdiction changed by a reload.
    public var audienceProblem: ServiceError?
    public var message: BulletinMessage?
    public var changes: BulletinDiff
    /// The steps the caller may take now (scopes included), for the console's buttons.
    public var actions: [BulletinAction]
}

/// A bulletin's content before it is stored: the event it would become, its audience, its message.
public struct BulletinPreview: Sendable {
    /// As it would be published now (its id is not the one it will get).
    public var event: Event
    public var audience: BulletinAudience
    public var message: BulletinMessage?
}

/// The message as the email and SMS channels would render it (German; VS-NfD as the teaser).
public struct BulletinMessage: Sendable, Equatable {
    public var emailSubject: String
    /// The email's text part (the HTML part says the same).
    public var emailText: String
    public var sms: String
    public var smsSegments: Int
}

extension BulletinService {
    /// A bulletin with its versions and history, for anyone at the Geschäftsstelle who writes or
    /// approves bulletins (a person or not).
    public func bulletin(id: String, by identity: Identity) async throws -> Bulletin {
        try Self.reader(identity)
        return try await find(id)
    }

    /// Newest first, at most `listLimit`; all states when `status` is nil.
    public func list(status: BulletinStatus?, by identity: Identity) async throws -> [Bulletin] {
        try Self.reader(identity)
        return try await store.bulletins(status: status, limit: Self.listLimit)
    }

    public func review(id: String, by identity: Identity) async throws -> BulletinReview {
        try Self.reader(identity)
        let bulletin = try await find(id)
        var review = BulletinReview(
            bulletin: bulletin, audience: nil, audienceProblem: nil, message: nil, changes: BulletinDiff.sinceSubmission(bulletin),
            actions: actions(on: bulletin, by: identity)
        )
        do {
            let explanation = try explaining.audience(of: bulletin.current.content, by: Self.publisher(identity))
            review.audience = BulletinAudience(explanation, reference: engine.reference)
            review.message = message(for: explanation.event)
        } catch {
            review.audienceProblem = error
        }
        return review
    }

    /// Content as the bulletin form holds it, before it is saved: refused as an event would be.
    public func preview(_ content: EventSubmission, by identity: Identity) async throws -> BulletinPreview {
        _ = try Self.person(of: identity, needing: .bulletinsSend)
        var content = content
        content.externalId = nil
        let explanation = try explaining.audience(of: content, by: identity)
        return BulletinPreview(
            event: explanation.event, audience: BulletinAudience(explanation, reference: engine.reference), message: message(for: explanation.event)
        )
    }

    private func message(for event: Event) -> BulletinMessage? {
        guard let previewer = previewer() else { return nil }
        let sms = previewer.sms(event), email = previewer.email(event)
        return BulletinMessage(emailSubject: email.subject, emailText: email.text, sms: sms, smsSegments: SMSText.segments(of: sms))
    }

    private func actions(on bulletin: Bulletin, by identity: Identity) -> [BulletinAction] {
        guard let person = identity.person, identity.partner == Identity.centralOffice else { return [] }
        return BulletinWorkflow.actions(for: bulletin, by: BulletinPerson(person)).filter { action in
            switch action {
            case .approved, .rejected: identity.has(.bulletinsApprove)
            default: identity.has(.bulletinsSend)
            }
        }
    }

    /// Readers write or approve bulletins: of the Geschäftsstelle, or an admin.
    static func reader(_ identity: Identity) throws(ServiceError) {
        guard identity.has(.bulletinsSend) || identity.has(.bulletinsApprove) else { throw .missingScope(.bulletinsSend) }
        guard identity.owns(Identity.centralOffice) else { throw .centralOfficeOnly }
    }

    /// The audience is the Geschäftsstelle's, also when an admin of another partner looks.
    static func publisher(_ identity: Identity) -> Identity {
        var publisher = identity
        publisher.partner = Identity.centralOffice
        return publisher
    }
}
