import Foundation
import SikoModel

/// Who is acting: the partner behind an API key and what the key may do, a person signed in to the
/// console, the command line, or the gateway itself. Every service takes one, checks its scope and
/// names it in the audit.
public struct Identity: Sendable, Equatable {
    public var partner: String
    /// The key's visible prefix, safe to log; `cli` for the command line.
    public var keyID: String
    public var scopes: Set<Scope>
    /// Set when the key's requests must carry a Standard Webhooks signature made with it.
    public var signingSecret: String?
    /// The person acting, for a console session or a key bound to a user; nil for a system's key,
    /// the command line and the gateway itself.
    public var person: Person?

    public init(partner: String, keyID: String, scopes: Set<Scope>, signingSecret: String? = nil, person: Person? = nil) {
        self.partner = partner
        self.keyID = keyID
        self.scopes = scopes
        self.signingSecret = signingSecret
        self.person = person
    }

    /// The partner whose people write bulletins; its events need four eyes.
    public static let centralOffice = "geschaeftsstelle"

    /// The partner named for what the command line and the gateway's own upkeep do.
    public static let operatorPartner = "operator"

    /// The operator at the command line, who holds the data folder and so may do everything.
    public static let `operator` = Identity(partner: operatorPartner, keyID: "cli", scopes: [.admin])

    /// The gateway's own upkeep (retention, disabling failing subscriptions).
    public static let system = Identity(partner: operatorPartner, keyID: "system", scopes: [.admin])

    public var isAdmin: Bool { scopes.contains(.admin) }

    /// `admin` implies every scope but those that must be granted by name.
    public func has(_ scope: Scope) -> Bool {
        scopes.contains(scope) || (isAdmin && !Scope.explicitOnly.contains(scope)) || scopes.contains { $0.implied.contains(scope) }
    }

    /// What the audit names: the key, and the person when there is one (`siko_ab12 (anna.schmidt)`).
    public var actor: String {
        guard let person else { return keyID }
        return "\(keyID) (\(person.login))"
    }

    /// Throws unless this caller's key carries `scope`.
    public func require(_ scope: Scope) throws(ServiceError) {
        guard has(scope) else { throw .missingScope(scope) }
    }

    /// May this caller see objects owned by `partner`?
    public func owns(_ partner: String) -> Bool { isAdmin || self.partner == partner }

    /// The partner whose objects a listing is limited to: nil for an admin, who sees all.
    public var visibleTo: String? { isAdmin ? nil : partner }

    /// This caller's entry for an action, written by the store in the change's own transaction.
    public func auditRecord(_ action: AuditAction, object: String, detail: String? = nil, at date: Date) -> AuditRecord {
        AuditRecord(at: date, partner: partner, actor: actor, action: action, object: object, detail: detail)
    }
}
