import Foundation

/// libxml2's own validator (`xmllint`, Debian's libxml2-utils): documents the gateway writes are
/// checked by it, not by the gateway's reader.
public enum XMLLint {
    public static let path = "/usr/bin/xmllint"
    /// The OASIS schema beside the samples.
    public static let capSchema = Repository.capSamples.appendingPathComponent("CAP-v1.2.xsd").path

    /// nil when the document is well-formed (and valid against `schema`, if given), else what xmllint said.
    public static func check(_ xml: String, schema: String? = nil) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("siko-xml-\(UUID().uuidString).xml")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--noout", "--nonet"] + (schema.map { ["--schema", $0] } ?? []) + [file.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : said
    }

    /// Each `<alert …>…</alert>` inside a document (a feed's entries), as a document of its own.
    public static func alerts(in xml: String) -> [String] {
        var found: [String] = []
        var rest = xml[...]
        while let start = rest.range(of: "<alert "), let end = rest.range(of: "</alert>", range: start.upperBound..<rest.endIndex) {
            found.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        return found
    }
}
