/// How urgent an event is; subscriptions name the least urgency they want to hear about.
public enum Urgency: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high, critical

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rank < rhs.rank }

    /// The label people read in notifications (German first).
    public func label(language: Language) -> String {
        switch (self, language) {
        case (.low, .de): "NIEDRIG"
        case (.medium, .de): "MITTEL"
        case (.high, .de): "HOCH"
        case (.critical, .de): "KRITISCH"
        case (.low, .en): "LOW"
        case (.medium, .en): "MEDIUM"
        case (.high, .en): "HIGH"
        case (.critical, .en): "CRITICAL"
        }
    }
}
