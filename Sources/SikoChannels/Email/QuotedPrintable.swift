import Foundation

/// Quoted-printable (RFC 2045): 7-bit lines of at most 76 characters with soft breaks, so no line
/// of a message exceeds the 998 octets SMTP allows, whatever the body holds.
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes text whose lines end in "\n" (or "\r\n"); the result uses CRLF.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if index > 0 { output += [13, 10] }
            var column = 0
            let bytes = Array(line.utf8)
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast)
                let piece: [UInt8] = literal ? [byte] : [61, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                // Leave room for the "=" of a soft break: at most 76 characters per line.
                if column + piece.count > 75 {
                    output += [61, 13, 10]
                    column = 0
                }
                output += piece
                column += piece.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// RFC 2047 encoded words for header text that is not plain ASCII: `=?UTF-8?B?…?=`, split between
/// characters (never inside one), each word short enough to keep header lines under 78 characters.
enum EncodedWord {
    /// The text as it may stand in a header: unchanged when it is printable ASCII without
    /// look-alikes of encoded words, else as encoded words joined by folding whitespace.
    static func encode(_ text: String) -> String {
        let needsEncoding = text.utf8.contains { $0 < 32 || $0 > 126 } || text.contains("=?")
        guard needsEncoding else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 45 raw bytes make 60 base64 characters; with the 12 of "=?UTF-8?B??=" a word is 72.
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Base64.encode(bytes) + "?="
    }

    /// A mailbox header value: `"Display Name" <address>` with the name encoded when needed.
    static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        let plain = name.utf8.allSatisfy { $0 >= 32 && $0 <= 126 }
        if plain {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return encode(name) + " <\(address)>"
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
