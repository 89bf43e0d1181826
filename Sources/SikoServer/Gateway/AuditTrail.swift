import Foundation
import SikoModel
import SikoStore

/// Writes who did what into the store's hash-chained trail. Called after the action succeeded;
/// a failed write fails the request, so an unaudited change never looks like a clean one.
public struct AuditTrail: Sendable {
    let store: any Store
    let clock: any WallClock

    public func record(_ identity: Identity, _ action: AuditAction, object: String, detail: String? = nil) async throws {
        try await store.appendAudit([
            AuditRecord(at: clock.now(), partner: identity.partner, actor: identity.keyID, action: action, object: object, detail: detail),
        ])
    }

    /// What the gateway did on its own (retention, disabling a failing subscription).
    public func recordSystem(partner: String, _ action: AuditAction, object: String, detail: String? = nil) async throws {
        try await store.appendAudit([
            AuditRecord(at: clock.now(), partner: partner, actor: "system", action: action, object: object, detail: detail),
        ])
    }
}
