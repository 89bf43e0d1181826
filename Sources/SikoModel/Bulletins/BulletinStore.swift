import Foundation

/// Bulletins at rest. A bulletin is read and written whole (its versions and history are few and
/// small); every write carries its audit entry into the same transaction.
public protocol BulletinStore: Sendable {
    func insertBulletin(_ bulletin: Bulletin, audit: AuditRecord) async throws
    func bulletin(id: String) async throws -> Bulletin?
    /// Newest first; all states when `status` is nil.
    func bulletins(status: BulletinStatus?, limit: Int) async throws -> [Bulletin]
    /// Replaces the bulletin only while it is still at `revision` (compare and set): false, and
    /// nothing written, when someone changed it since it was read.
    func updateBulletin(_ bulletin: Bulletin, expecting revision: Int, audit: AuditRecord) async throws -> Bool
}
