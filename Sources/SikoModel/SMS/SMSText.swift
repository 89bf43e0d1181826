/// The rules SMS text lives by (3GPP TS 23.038): GSM 7-bit where every character allows it, else
/// UCS-2; how many segments a text takes; and how to cut it to fit, never inside a character or an
/// escape pair.
public enum SMSText {
    public enum Encoding: String, Sendable, Equatable {
        case gsm7, ucs2

        /// Units in a single message and in each part of a concatenated one (the rest is the
        /// concatenation header).
        var single: Int { self == .gsm7 ? 160 : 70 }
        var part: Int { self == .gsm7 ? 153 : 67 }
    }

    /// The GSM 03.38 default alphabet, in code order (ESC at 0x1B is not a character).
    static let basic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars
    )
    /// The extension table: each costs an escape and itself, two septets.
    static let extended: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    public static func encoding(of text: String) -> Encoding {
        text.unicodeScalars.allSatisfy { basic.contains($0) || extended.contains($0) } ? .gsm7 : .ucs2
    }

    /// What each scalar costs, as units that must stay together in one segment.
    static func units(_ text: String, _ encoding: Encoding) -> [Int] {
        text.unicodeScalars.map { scalar in
            switch encoding {
            case .gsm7: extended.contains(scalar) ? 2 : 1
            case .ucs2: scalar.value > 0xFFFF ? 2 : 1
            }
        }
    }

    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    public static func length(of text: String) -> Int {
        units(text, encoding(of: text)).reduce(0, +)
    }

    /// How many segments the text takes (at least one).
    public static func segments(of text: String) -> Int {
        let encoding = encoding(of: text)
        let costs = units(text, encoding)
        guard costs.reduce(0, +) > encoding.single else { return 1 }
        var count = 1
        var used = 0
        for cost in costs {
            if used + cost > encoding.part {
                count += 1
                used = 0
            }
            used += cost
        }
        return count
    }

    /// The text unchanged if it fits in `maxSegments`; else as much of it as fits, followed by an
    /// ellipsis and `link`. The ellipsis is "..." when the rest is GSM-7, since "…" is not in the
    /// GSM alphabet and alone would force UCS-2 and cut the room by more than half.
    public static func fit(_ text: String, maxSegments: Int, link: String) -> String {
        guard segments(of: text) > maxSegments else { return text }
        let ellipsis = encoding(of: text + link) == .gsm7 ? "..." : "…"
        let suffix = ellipsis + " " + link
        let characters = Array(text)
        // The longest prefix of whole characters that fits with the suffix (binary search: the
        // segment count only grows with the prefix).
        var low = 0, high = characters.count
        while low < high {
            let middle = (low + high + 1) / 2
            if segments(of: String(characters[..<middle]) + suffix) <= maxSegments { low = middle } else { high = middle - 1 }
        }
        var prefix = String(characters[..<low])
        while prefix.last?.isWhitespace == true { prefix.removeLast() }
        return prefix + suffix
    }
}
