/// The hash-chained, append-only audit trail. Changes write their entry in their own transaction
/// (each role's write takes it); this appends what has no change of its own.
public protocol AuditLog: Sendable {
    func appendAudit(_ records: [AuditRecord]) async throws
    /// Entries after `sequence` in order, at most `limit`; only one partner's when `partner` is set.
    func auditEntries(after sequence: Int64, limit: Int, partner: String?) async throws -> [AuditEntry]
    /// The newest entries before `sequence` (or the very newest), newest first: what people read.
    func auditEntries(before sequence: Int64?, limit: Int, partner: String?) async throws -> [AuditEntry]
}
