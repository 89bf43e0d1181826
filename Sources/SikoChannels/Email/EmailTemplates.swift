import Foundation
import Mustache
import SikoModel

/// The email templates, one file per language (`email.de.mustache`, `email.en.mustache`): the
/// subject, then the text part after a line `--- text ---`, then the HTML part after `--- html ---`.
public struct EmailTemplates: Sendable {
    struct Parts: Sendable {
        var subject: MustacheTemplate
        var text: MustacheTemplate
        var html: MustacheTemplate
    }

    private let parts: [Language: Parts]

    public static func load(directory: String) throws(TemplateError) -> EmailTemplates {
        var parts: [Language: Parts] = [:]
        for language in Language.allCases {
            let file = (directory as NSString).appendingPathComponent("email.\(language.rawValue).mustache")
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw TemplateError(file: file, line: nil, message: "cannot read the template")
            }
            parts[language] = try parse(text, file: file)
        }
        return EmailTemplates(parts: parts)
    }

    static func parse(_ text: String, file: String) throws(TemplateError) -> Parts {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let textMarker = lines.firstIndex(of: "--- text ---"), let htmlMarker = lines.firstIndex(of: "--- html ---"), textMarker < htmlMarker else {
            throw TemplateError(file: file, line: nil, message: "needs a line '--- text ---' and, after it, a line '--- html ---'")
        }
        func template(_ range: Range<Int>) throws(TemplateError) -> MustacheTemplate {
            do {
                return try MustacheTemplate(string: lines[range].joined(separator: "\n"))
            } catch {
                throw TemplateError(file: file, line: range.lowerBound + 1, message: "the part starting here is not valid Mustache: \(error)")
            }
        }
        return Parts(
            subject: try template(0..<textMarker), text: try template((textMarker + 1)..<htmlMarker),
            html: try template((htmlMarker + 1)..<lines.count)
        )
    }

    /// Subject, text and HTML for one delivery.
    func render(_ context: MessageContext) -> (subject: String, text: String, html: String) {
        guard let parts = parts[context.language] ?? parts[.de] else { return ("", "", "") }
        var values = context.values
        let subject = parts.subject.render(values)
            .split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        values["subject"] = subject
        return (subject, parts.text.render(values).trimmingCharacters(in: .newlines) + "\n", parts.html.render(values))
    }
}
