/// Writes XML text element by element, escaping what XML 1.0 needs escaped and dropping the
/// control characters it cannot carry at all.
struct XMLWriter {
    private(set) var text = ""
    private var depth = 0

    init(declaration: Bool = true) {
        if declaration { text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" }
    }

    mutating func open(_ name: String, attributes: [(String, String)] = []) {
        indent()
        text += "<\(name)" + attributes.map { " \($0.0)=\"\(Self.escaped($0.1))\"" }.joined() + ">\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        indent()
        text += "</\(name)>\n"
    }

    /// An element holding text; nothing at all when the text is nil.
    mutating func element(_ name: String, _ value: String?, attributes: [(String, String)] = []) {
        guard let value else { return }
        indent()
        if value.isEmpty, !attributes.isEmpty {
            text += "<\(name)" + attributes.map { " \($0.0)=\"\(Self.escaped($0.1))\"" }.joined() + "/>\n"
            return
        }
        text += "<\(name)" + attributes.map { " \($0.0)=\"\(Self.escaped($0.1))\"" }.joined() + ">\(Self.escaped(value))</\(name)>\n"
    }

    /// Text written as it is: a document of its own, already escaped (an alert inside a feed entry).
    mutating func raw(_ xml: String) {
        // Not indented: a line break inside a text is part of the text.
        text += xml
        if !xml.hasSuffix("\n") { text += "\n" }
    }

    private mutating func indent() { text += String(repeating: "  ", count: depth) }

    static func escaped(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
