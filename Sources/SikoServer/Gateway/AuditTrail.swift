import Foundation
import SikoModel
import SikoStore

/// Writes who did what into the store's hash-chained trail. Called after the action succeeded;
/// a failed write fails the request, so an unaudited change never looks like a clean one.
public struct AuditTrail: Sendable {
    /// The partner named for what the command line and the gateway's own upkeep do.
    public static let operatorPartner = "operator"

    let store: any Store
    let clock: any WallClock

    public init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// `actor` is a key id, `cli` or `system`.
    public func record(partner: String, actor: String, _ action: AuditAction, object: String, detail: String? = nil) async throws {
        try await store.appendAudit([
            AuditRecord(at: clock.now(), partner: partner, actor: actor, action: action, object: object, detail: detail),
        ])
    }

    public func record(_ identity: Identity, _ action: AuditAction, object: String, detail: String? = nil) async throws {
        try await store.appendAudit([identity.auditRecord(action, object: object, detail: detail, at: clock.now())])
    }
}

extension Identity {
    /// This caller's entry for an action, for writers that store it themselves (publishing writes
    /// it in the event's own transaction).
    func auditRecord(_ action: AuditAction, object: String, detail: String?, at date: Date) -> AuditRecord {
        AuditRecord(at: date, partner: partner, actor: keyID, action: action, object: object, detail: detail)
    }
}
