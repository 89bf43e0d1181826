/// The rules that can hold a delivery back or change it; each decision names one.
public enum PolicyRule: String, Codable, Sendable, CaseIterable {
    case quietHours = "quiet-hours"
    case duplicate
    case floodLimit = "flood-limit"
    case classification
    case expired
}
