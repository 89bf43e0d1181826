/// What a person may do in the console and through a key bound to them.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    /// Their partner's events, deliveries and subscriptions.
    case viewer
    /// Writes bulletins (at the Geschäftsstelle) and manages the partner's subscriptions.
    case editor
    /// Approves or rejects bulletins written by someone else.
    case approver
    /// Users, keys and the audit: of every partner at the Geschäftsstelle, else of their own.
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
