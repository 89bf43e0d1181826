import SikoModel

/// Bytes to a `CAPAlert`: the prescan (no DTD, UTF-8 only), libxml2 with bounds, then the schema.
public enum CAPReader {
    /// Why a body is not a CAP alert the gateway reads.
    public enum Failure: Error, Equatable, Sendable {
        /// A DTD or another markup declaration: refused before parsing (400).
        case declaration(line: Int)
        /// Not UTF-8 (400).
        case encoding(String)
        /// Not well-formed XML, or beyond the depth or element bounds (400).
        case malformed(String)
        /// Well-formed, but not what CAP 1.2 requires; each element at fault named (422).
        case invalid([FieldError])
    }

    public static func read(_ bytes: [UInt8]) -> Result<CAPAlert, Failure> {
        do {
            try XMLPrescan.check(bytes)
        } catch {
            switch error {
            case .declaration(let line): return .failure(.declaration(line: line))
            case .encoding(let encoding): return .failure(.encoding(encoding))
            }
        }
        let root: XMLElementNode
        do {
            root = try XMLTreeReader.read(bytes)
        } catch {
            switch error {
            case .malformed(let line, let detail): return .failure(.malformed("line \(line): \(detail)"))
            case .tooDeep(let line): return .failure(.malformed("line \(line): elements nested deeper than CAP ever nests them"))
            case .tooManyElements: return .failure(.malformed("more elements than a CAP alert of 1 MiB holds"))
            }
        }
        var validator = CAPValidator()
        validator.validate(root: root)
        guard validator.errors.isEmpty else { return .failure(.invalid(validator.errors)) }
        return .success(CAPAlert(validated: root))
    }
}
