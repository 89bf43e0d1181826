import Foundation
import Hummingbird

/// A submitted HTML form (`application/x-www-form-urlencoded`): every field with all its values,
/// since checkboxes such as the areas repeat a name.
struct Form: Sendable {
    private(set) var fields: [String: [String]] = [:]

    init(encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty else { continue }
            fields[name, default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    static func read(_ request: Request, context: ConsoleContext) async throws -> Form {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        return Form(encoded: String(buffer: body))
    }

    private static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    /// The first value, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every non-empty value of a repeated field.
    func all(_ name: String) -> [String] {
        (fields[name] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    func has(_ name: String) -> Bool { fields[name] != nil }
}
