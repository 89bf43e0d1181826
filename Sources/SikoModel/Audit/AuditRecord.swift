import Foundation

/// One accountable action: who (partner and key prefix, `cli` or `system`), did what, to which
/// object, when. Never a message's text or a recipient: the audit outlives retention.
public struct AuditRecord: Sendable, Equatable {
    public var at: Date
    public var partner: String
    /// The key's visible prefix (`siko_…`), `cli` for the command line, `system` for the gateway itself.
    public var actor: String
    /// An `AuditAction`'s raw value; kept as text so a row edited to any value can still be read and shown.
    public var action: String
    public var object: String
    public var detail: String?

    public init(at: Date, partner: String, actor: String, action: AuditAction, object: String, detail: String? = nil) {
        self.init(at: at, partner: partner, actor: actor, rawAction: action.rawValue, object: object, detail: detail)
    }

    public init(at: Date, partner: String, actor: String, rawAction: String, object: String, detail: String?) {
        self.at = at
        self.partner = partner
        self.actor = actor
        self.action = rawAction
        self.object = object
        self.detail = detail
    }
}

/// What was done. Stored as the raw value, so names are part of the audit's meaning: add, never rename.
public enum AuditAction: String, Sendable, CaseIterable {
    case keyCreate = "key.create"
    case keyRevoke = "key.revoke"
    case subscriptionCreate = "subscription.create"
    case subscriptionUpdate = "subscription.update"
    case subscriptionDelete = "subscription.delete"
    case subscriptionDisable = "subscription.disable"
    case subscriptionTest = "subscription.test"
    case eventPublish = "event.publish"
    /// An update or cancellation of an earlier event (JSON or CAP), or a CAP Ack or Error answering one.
    case eventUpdate = "event.update"
    case eventCancel = "event.cancel"
    case eventAnswer = "event.answer"
    case deliveryRetry = "delivery.retry"
    case deliveriesRetry = "deliveries.retry"
    case dataPurge = "data.purge"
    /// A person read VS-NfD content in the console.
    case restrictedRead = "event.read-restricted"
    case userCreate = "user.create"
    case userRoles = "user.roles"
    case userClearance = "user.clearance"
    case userLanguage = "user.language"
    case userPassword = "user.password"
    /// A second factor set up (detail `enrolled`) or removed (`removed`).
    case userSecondFactor = "user.totp"
    case userDisable = "user.disable"
    case signIn = "user.sign-in"
    case signOut = "user.sign-out"
    /// Failed sign-ins for a login or an address reached the throttle; single failures are not audited.
    case signInLockout = "user.lockout"
    case bulletinCreate = "bulletin.create"
    case bulletinEdit = "bulletin.edit"
    case bulletinSubmit = "bulletin.submit"
    case bulletinApprove = "bulletin.approve"
    case bulletinReject = "bulletin.reject"
    case bulletinWithdraw = "bulletin.withdraw"
}

/// A record in its place in the chain: its number, and the hash that binds it to all before it.
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int64
    public var record: AuditRecord
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, record: AuditRecord, previousHash: String, hash: String) {
        self.sequence = sequence
        self.record = record
        self.previousHash = previousHash
        self.hash = hash
    }
}
