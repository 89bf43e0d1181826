/// How much of an event a delivery carries: all of it, or only the teaser that points to the portal
/// (for VS-NfD content on channels that may not carry it in clear).
public enum DeliveryContent: String, Codable, Sendable, CaseIterable {
    case full
    case teaser
}
