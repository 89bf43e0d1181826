/// What any engine throws when a row is missing or holds what no version of the gateway wrote.
public enum StoreError: Error, CustomStringConvertible {
    case corrupt(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .corrupt(let message): "store holds an unexpected value: \(message)"
        case .notFound(let what): "not found: \(what)"
        }
    }
}
