import SikoModel

/// CAP's urgency, severity and certainty against the gateway's one urgency (the table in the README).
public enum CAPUrgency {
    /// Rows: CAP urgency; columns: severity Extreme, Severe, Moderate, Minor, Unknown.
    static let table: [String: [Urgency]] = [
        "Immediate": [.critical, .critical, .high, .medium, .medium],
        "Expected": [.critical, .high, .medium, .low, .medium],
        "Future": [.high, .medium, .low, .low, .low],
        "Past": [.low, .low, .low, .low, .low],
        "Unknown": [.medium, .medium, .low, .low, .low],
    ]

    /// An `Unlikely` certainty lowers the result by one step.
    public static func urgency(urgency: String, severity: String, certainty: String) -> Urgency {
        let column = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"].firstIndex(of: severity) ?? 4
        let value = table[urgency]?[column] ?? .low
        guard certainty == "Unlikely" else { return value }
        return Urgency.allCases.last { $0 < value } ?? .low
    }

    /// The reverse, for the alerts the gateway writes: a triple that maps back to the same urgency.
    public static func triple(for urgency: Urgency) -> (urgency: String, severity: String, certainty: String) {
        switch urgency {
        case .critical: ("Immediate", "Extreme", "Likely")
        case .high: ("Expected", "Severe", "Likely")
        case .medium: ("Expected", "Moderate", "Likely")
        case .low: ("Future", "Minor", "Possible")
        }
    }
}
