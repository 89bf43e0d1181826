/// What a CAP body must not contain before any parser sees it. A document type declaration is
/// refused outright, so no DTD is read, no entity is defined and none expanded: XXE and "billion
/// laughs" cost one pass over the bytes and reveal nothing.
enum XMLPrescan {
    enum Refusal: Error, Equatable {
        /// `<!DOCTYPE`, `<!ENTITY` or any other markup declaration, at this line.
        case declaration(line: Int)
        /// Not UTF-8 (a UTF-16 or UTF-32 byte order mark, or another declared encoding).
        case encoding(String)
    }

    static func check(_ bytes: [UInt8]) throws(Refusal) {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            throw .encoding("UTF-16 or UTF-32")
        }
        if let declared = declaredEncoding(bytes), declared.lowercased() != "utf-8" { throw .encoding(declared) }
        var line = 1
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            guard byte == 0x3C, index + 1 < count, bytes[index + 1] == 0x21 else { index += 1; continue }
            // `<!`: only a comment or a CDATA section may start so; their insides are skipped, so a
            // `<!DOCTYPE` quoted in a comment is text, as for any XML parser.
            if matches(bytes, at: index, "<!--") {
                index = skip(bytes, from: index + 4, past: "-->", line: &line)
            } else if matches(bytes, at: index, "<![CDATA[") {
                index = skip(bytes, from: index + 9, past: "]]>", line: &line)
            } else {
                throw .declaration(line: line)
            }
        }
    }

    private static func matches(_ bytes: [UInt8], at index: Int, _ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        return text.withUTF8Buffer { pattern in
            (0..<length).allSatisfy { bytes[index + $0] == pattern[$0] }
        }
    }

    private static func skip(_ bytes: [UInt8], from start: Int, past end: StaticString, line: inout Int) -> Int {
        var index = start
        while index < bytes.count {
            if matches(bytes, at: index, end) { return index + end.utf8CodeUnitCount }
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        return index
    }

    /// The `encoding` of the XML declaration, if the body starts with one.
    private static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard matches(bytes, at: start, "<?xml"), let close = bytes[start...].prefix(200).firstIndex(of: 0x3E) else { return nil }
        let declaration = String(decoding: bytes[start..<close], as: UTF8.self)
        guard let range = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
    }
}
