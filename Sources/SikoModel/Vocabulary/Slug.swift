/// Ids of partners, areas and topics: lowercase ASCII letters, digits and single hyphens.
public enum Slug {
    public static func isValid(_ value: String) -> Bool {
        guard !value.isEmpty, value.utf8.count <= 64,
              value.first != "-", value.last != "-", !value.contains("--") else { return false }
        return value.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
