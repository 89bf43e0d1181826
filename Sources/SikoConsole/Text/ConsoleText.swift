import SikoModel

/// Every text a page shows, German first. Templates read them as `{{t.key}}`; a key missing in
/// English falls back to German, so a page never shows an empty label.
enum ConsoleText {
    static func table(_ language: Language) -> [String: String] {
        language == .en ? de.merging(en) { _, english in english } : de
    }

    static func text(_ key: String, _ language: Language) -> String {
        (language == .en ? en[key] : nil) ?? de[key] ?? key
    }

    /// A text with its `%@` places filled in order.
    static func fill(_ text: String, _ values: String...) -> String {
        var result = text
        for value in values {
            guard let range = result.range(of: "%@") else { break }
            result.replaceSubrange(range, with: value)
        }
        return result
    }

    /// Delivery states as the contract names them.
    static func status(_ status: DeliveryStatus, _ language: Language) -> String {
        text("status_" + status.rawValue, language)
    }
}
