import SikoModel

/// Reading and checking the audit trail, for admins and the operator; a partner's admin reads
/// that partner's entries only.
public struct AuditService: Sendable {
    let log: any AuditLog

    public init(log: any AuditLog) {
        self.log = log
    }

    public static let pageLimits = 1...1000

    /// Entries after `sequence` in order, at most `limit`; only one partner's when `partner` is set
    /// (always the caller's own for a partner's admin).
    public func entries(after sequence: Int64, limit: Int, partner: String?, by identity: Identity) async throws -> [AuditEntry] {
        try identity.requireAdministration()
        let partner = identity.isAdmin ? partner : identity.partner
        var errors: [FieldError] = []
        if sequence < 0 { errors.append(.init("after", "must be a sequence number (0 or more)", de: "muss eine laufende Nummer sein (0 oder mehr)")) }
        if !Self.pageLimits.contains(limit) { errors.append(.init("limit", .wholeNumber(from: Self.pageLimits.lowerBound, to: Self.pageLimits.upperBound))) }
        if let partner, partner.utf8.count > 64 { errors.append(.init("partner", "at most 64 characters", de: "höchstens 64 Zeichen")) }
        guard errors.isEmpty else { throw ServiceError.invalid(ValidationFailure(errors: errors)) }
        return try await log.auditEntries(after: sequence, limit: limit, partner: partner)
    }

    /// The newest entries first, for people reading the trail; `partner` limits it as above.
    public func latest(before sequence: Int64?, limit: Int, partner: String?, by identity: Identity) async throws -> [AuditEntry] {
        try identity.requireAdministration()
        let partner = identity.isAdmin ? partner : identity.partner
        return try await log.auditEntries(before: sequence, limit: min(max(limit, 1), Self.pageLimits.upperBound), partner: partner)
    }

    /// What recomputing the chain found: intact up to `head` after `checked` entries, or where it breaks.
    public struct Verification: Sendable {
        public var checked: Int
        public var head: String
        public var broken: AuditChain.Break?
    }

    /// Recomputes the whole chain, a page at a time.
    public func verify(by identity: Identity) async throws -> Verification {
        try identity.require(.admin)
        var verifier = AuditChain.Verifier()
        var after: Int64 = 0
        let page = 5000
        while true {
            let entries = try await log.auditEntries(after: after, limit: page, partner: nil)
            if let broken = verifier.check(entries) { return Verification(checked: verifier.checked, head: verifier.head, broken: broken) }
            guard let last = entries.last, entries.count == page else { break }
            after = last.sequence
        }
        return Verification(checked: verifier.checked, head: verifier.head, broken: nil)
    }
}
