/// Protective marking of an event. `restricted` (VS-NfD) content is never sent in clear over SMS or email.
public enum Classification: String, Codable, Sendable, CaseIterable {
    case `public`
    case restricted
}
