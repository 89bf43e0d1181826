/// A bound on a text field. Characters alone do not bound what a field stores and sends: one
/// character may carry any number of combining marks, so a "one-character" title can be kilobytes.
/// Text is therefore also held to 4 UTF-8 bytes per allowed character (what the longest scalar
/// takes, so ordinary text never meets it) and to at most 30 combining marks in a row (Unicode's
/// Stream-Safe Text Format, UAX #15, which no real script exceeds).
public struct TextLimit: Sendable, Equatable {
    public static let bytesPerCharacter = 4
    public static let combiningMarksInARow = 30

    public var characters: Int

    public init(characters: Int) { self.characters = characters }

    public var bytes: Int { characters * Self.bytesPerCharacter }

    /// Why `text` does not fit, or nil when it does.
    public func problem(with text: String) -> LocalizedText? {
        let bytes = text.utf8.count
        if text.count > characters || bytes > self.bytes {
            return LocalizedText(
                "at most \(characters) characters and \(self.bytes) bytes of UTF-8 (this one has \(text.count) characters, \(bytes) bytes)",
                de: "höchstens \(characters) Zeichen und \(self.bytes) Bytes UTF-8 (hier \(text.count) Zeichen, \(bytes) Bytes)"
            )
        }
        if Self.longestRunOfCombiningMarks(in: text) > Self.combiningMarksInARow {
            return LocalizedText(
                "more than \(Self.combiningMarksInARow) combining marks on one character",
                de: "mehr als \(Self.combiningMarksInARow) kombinierende Zeichen auf einem Zeichen"
            )
        }
        return nil
    }

    private static func longestRunOfCombiningMarks(in text: String) -> Int {
        var longest = 0, run = 0
        for scalar in text.unicodeScalars {
            run = scalar.properties.canonicalCombiningClass == .notReordered ? 0 : run + 1
            longest = max(longest, run)
        }
        return longest
    }
}
