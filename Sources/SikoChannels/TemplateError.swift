/// A template that cannot be read or parsed, printed as `file:line: template: message`.
public struct TemplateError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String { "\(file):\(line.map(String.init) ?? "-"): template: \(message)" }
}
