/// The language a subscriber reads; German is the default.
public enum Language: String, Codable, Sendable, CaseIterable {
    case de, en
}
