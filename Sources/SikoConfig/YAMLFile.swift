import Foundation
import Yams

/// A parsed YAML file that remembers where each value stood, so errors can name the line.
/// Readers record problems here and carry on, so one run reports every error in the file.
final class YAMLFile {
    let path: String
    let root: Node?
    private(set) var errors: [ConfigError] = []
    private let expand: ((String) -> Result<String, EnvironmentExpander.Failure>)?

    /// `expand` substitutes `${NAME}` and `${NAME:-default}` in scalar values (Channels files only).
    init(path: String, expand: ((String) -> Result<String, EnvironmentExpander.Failure>)? = nil) {
        self.path = path
        self.expand = expand
        guard let data = FileManager.default.contents(atPath: path) else {
            root = nil
            errors.append(.init(file: path, line: nil, field: "", message: "cannot read the file"))
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            root = nil
            errors.append(.init(file: path, line: nil, field: "", message: "not valid UTF-8"))
            return
        }
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            root = nil
            errors.append(Self.describe(error, file: path))
        } catch {
            root = nil
            errors.append(.init(file: path, line: nil, field: "", message: "\(error)"))
        }
    }

    func fail(_ node: Node?, _ field: String, _ message: String) {
        errors.append(.init(file: path, line: node?.mark?.line, field: field, message: message))
    }

    /// The top-level mapping's list under `key`, as (index, item) pairs.
    func topLevelList(_ key: String, required: Bool = true) -> [(Int, Node)] {
        guard let root else { return [] }
        guard let mapping = root.mapping else {
            fail(root, "", "expected a mapping with a '\(key)' list")
            return []
        }
        guard let list = mapping[key] else {
            if required { fail(root, key, "is required") }
            return []
        }
        guard let sequence = list.sequence else {
            fail(list, key, "must be a list")
            return []
        }
        return Array(sequence.enumerated())
    }

    /// The mapping at `node`, reporting unknown keys so typos do not pass silently.
    func mapping(_ node: Node, field: String, allowed: Set<String>) -> Node.Mapping? {
        guard let mapping = node.mapping else {
            fail(node, field, "must be a mapping")
            return nil
        }
        for key in mapping.keys {
            let name = key.string ?? "?"
            if !allowed.contains(name) { fail(key, field.isEmpty ? name : "\(field).\(name)", "unknown field") }
        }
        return mapping
    }

    func string(_ mapping: Node.Mapping, _ key: String, field: String, required: Bool = true) -> String? {
        guard let node = mapping[key] else {
            if required { fail(.mapping(mapping), field, "is required") }
            return nil
        }
        guard let scalar = node.scalar else {
            fail(node, field, "must be a single value")
            return nil
        }
        return expanded(scalar.string, node: node, field: field)
    }

    func stringList(_ mapping: Node.Mapping, _ key: String, field: String, required: Bool = true) -> [(String, Node)]? {
        guard let node = mapping[key] else {
            if required { fail(.mapping(mapping), field, "is required") }
            return nil
        }
        guard let sequence = node.sequence else {
            fail(node, field, "must be a list")
            return nil
        }
        var values: [(String, Node)] = []
        for (index, item) in sequence.enumerated() {
            guard let scalar = item.scalar else {
                fail(item, "\(field)[\(index)]", "must be a single value")
                continue
            }
            if let value = expanded(scalar.string, node: item, field: "\(field)[\(index)]") { values.append((value, item)) }
        }
        return values
    }

    private func expanded(_ value: String, node: Node, field: String) -> String? {
        guard let expand else { return value }
        switch expand(value) {
        case .success(let result): return result
        case .failure(let failure):
            fail(node, field, failure.message)
            return nil
        }
    }

    private static func describe(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .init(file: file, line: mark.line, field: "", message: "invalid YAML: \(problem)")
        default:
            return .init(file: file, line: nil, field: "", message: "invalid YAML: \(error)")
        }
    }
}
