import Foundation
import SikoModel

/// Checks a parsed document against `CAPSchema` as the XSD would (order, required elements, how
/// often each occurs, enumerations, times, polygons and circles) and names every element at fault
/// by its path, such as `alert.info[0].urgency`.
struct CAPValidator {
    private(set) var errors: [FieldError] = []

    mutating func validate(root: XMLElementNode) {
        guard root.name == "alert", root.namespace == CAPSchema.namespace else {
            let found = root.namespace.map { "{\($0)}\(root.name)" } ?? root.name
            errors.append(FieldError(
                "alert", "the document is \(found), not a CAP 1.2 alert (<alert xmlns=\"\(CAPSchema.namespace)\">)",
                de: "das Dokument ist \(found), keine CAP-1.2-Meldung (<alert xmlns=\"\(CAPSchema.namespace)\">)"
            ))
            return
        }
        check(root, against: CAPSchema.alert, path: "alert", allowsSignature: true)
    }

    private mutating func check(_ node: XMLElementNode, against schema: CAPSchema, path: String, allowsSignature: Bool = false) {
        var position = 0
        var counts = Array(repeating: 0, count: schema.elements.count)
        for child in node.children {
            if child.namespace == CAPSchema.signatureNamespace, allowsSignature { continue }
            guard child.namespace == CAPSchema.namespace, let (offset, element) = schema.element(child.name) else {
                errors.append(FieldError(
                    "\(path).\(child.name)", "is not an element of \(path.split(separator: ".").last.map(String.init) ?? path) in CAP 1.2 (line \(child.line))",
                    de: "ist in CAP 1.2 kein Element von \(path.split(separator: ".").last.map(String.init) ?? path) (Zeile \(child.line))"
                ))
                continue
            }
            let childPath = element.repeats ? "\(path).\(child.name)[\(counts[offset])]" : "\(path).\(child.name)"
            if offset < position {
                let next = schema.elements[position].name
                errors.append(FieldError(
                    childPath, "is out of order: it must come before \(next) (line \(child.line))",
                    de: "steht an falscher Stelle: es muss vor \(next) stehen (Zeile \(child.line))"
                ))
            }
            if counts[offset] == 1, !element.repeats {
                errors.append(FieldError(childPath, "may occur only once (line \(child.line))", de: "darf nur einmal vorkommen (Zeile \(child.line))"))
            }
            counts[offset] += 1
            position = max(position, offset)
            check(child, content: element.content, path: childPath)
        }
        for (offset, element) in schema.elements.enumerated() where element.required && counts[offset] == 0 {
            errors.append(FieldError("\(path).\(element.name)", .required))
        }
    }

    private mutating func check(_ node: XMLElementNode, content: CAPSchema.Content, path: String) {
        if case .elements(let schema) = content {
            check(node, against: schema, path: path)
            return
        }
        if let child = node.children.first {
            errors.append(FieldError(
                path, "holds text only, not the element \(child.name) (line \(child.line))",
                de: "enthält nur Text, nicht das Element \(child.name) (Zeile \(child.line))"
            ))
            return
        }
        let text = node.text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch content {
        case .text, .elements:
            break
        case .token:
            if text.isEmpty || text.contains(where: { $0 == " " || $0 == "," || $0 == "<" || $0 == "&" }) {
                errors.append(FieldError(path, "must be a non-empty text without spaces, commas, < or &", de: "muss ein Text ohne Leerzeichen, Kommas, < und & sein"))
            }
        case .dateTime:
            if CAPTime.parse(text) == nil {
                errors.append(FieldError(
                    path, "'\(Self.excerpt(text))' is not a CAP time (2026-12-01T14:30:00+01:00: with offset, without fractions)",
                    de: "'\(Self.excerpt(text))' ist keine CAP-Zeit (2026-12-01T14:30:00+01:00: mit Zeitzone, ohne Sekundenbruchteile)"
                ))
            }
        case .oneOf(let values):
            if !values.contains(text) {
                errors.append(FieldError(
                    path, "'\(Self.excerpt(text))' is not one of \(values.joined(separator: ", "))",
                    de: "'\(Self.excerpt(text))' ist nicht einer der Werte \(values.joined(separator: ", "))"
                ))
            }
        case .decimal:
            if Double(text) == nil || text.contains(where: { $0.isLetter }) {
                errors.append(FieldError(path, "'\(Self.excerpt(text))' is not a decimal number", de: "'\(Self.excerpt(text))' ist keine Dezimalzahl"))
            }
        case .integer:
            if Int(text) == nil {
                errors.append(FieldError(path, "'\(Self.excerpt(text))' is not an integer", de: "'\(Self.excerpt(text))' ist keine ganze Zahl"))
            }
        case .language:
            if !Self.isLanguageTag(text) {
                errors.append(FieldError(path, "'\(Self.excerpt(text))' is not a language tag such as de-DE", de: "'\(Self.excerpt(text))' ist kein Sprachcode wie de-DE"))
            }
        case .polygon:
            if case .failure(let problem) = GeoPolygon.parse(text) { errors.append(FieldError(path, problem.text)) }
        case .circle:
            if case .failure(let problem) = GeoCircle.parse(text) { errors.append(FieldError(path, problem.text)) }
        }
    }

    /// xs:language: letters, then groups of letters and digits, each 1 to 8 long, joined by hyphens.
    static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...8).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    static func excerpt(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }
}
