import Foundation

/// Expands `${NAME}` and `${NAME:-default}` from the environment, so channel files never hold secrets.
public struct EnvironmentExpander: Sendable {
    public struct Failure: Error, Equatable {
        public var message: String
    }

    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public func expand(_ text: String) -> Result<String, Failure> {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                return .failure(.init(message: "unclosed '${' in '\(text)'"))
            }
            let expression = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
                fallback = nil
            }
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                return .failure(.init(message: "'${\(expression)}' is not a variable name"))
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                return .failure(.init(message: "environment variable \(name) is not set (write ${\(name):-default} for a default)"))
            }
            rest = rest[rest.index(after: end)...]
        }
        return .success(output + rest)
    }
}
