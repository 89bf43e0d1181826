import Foundation

/// What a login, a name, a password and a list of roles must be, said in German and English.
public enum UserRules {
    public static let passwordMinimum = 12
    /// bcrypt reads no further: a longer password would be cut without a word.
    public static let passwordMaximumBytes = 72
    static let loginLength = 2...64
    static let nameLimit = TextLimit(characters: 200)

    /// Logins are compared without case: `Anna.Schmidt` signs in as `anna.schmidt`.
    public static func normalizedLogin(_ login: String) -> String {
        login.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Why `login` (already normalized) cannot be a login, or nil.
    public static func loginProblem(_ login: String) -> LocalizedText? {
        let allowed = login.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard allowed, loginLength.contains(login.utf8.count), let first = login.utf8.first, let last = login.utf8.last,
              isLetterOrDigit(first), isLetterOrDigit(last)
        else {
            return LocalizedText(
                "must be 2 to 64 lowercase letters, digits, dots, hyphens or underscores, beginning and ending with a letter or digit, e.g. anna.schmidt",
                de: "besteht aus 2 bis 64 Kleinbuchstaben, Ziffern, Punkten, Binde- oder Unterstrichen und beginnt und endet mit einem Buchstaben oder einer Ziffer, z. B. anna.schmidt"
            )
        }
        // Users are named by id or login in the same place; an id-shaped login would be ambiguous.
        if login.hasPrefix("usr_") { return LocalizedText("must not start with usr_", de: "darf nicht mit usr_ beginnen") }
        return nil
    }

    public static func nameProblem(_ name: String) -> LocalizedText? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return .required }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return LocalizedText("must not contain control characters", de: "darf keine Steuerzeichen enthalten")
        }
        return nameLimit.problem(with: name)
    }

    public static func passwordProblem(_ password: String) -> LocalizedText? {
        if password.count < passwordMinimum {
            return LocalizedText("must be at least \(passwordMinimum) characters long", de: "muss mindestens \(passwordMinimum) Zeichen lang sein")
        }
        if password.utf8.count > passwordMaximumBytes {
            return LocalizedText("must be at most \(passwordMaximumBytes) bytes of UTF-8", de: "darf höchstens \(passwordMaximumBytes) Bytes (UTF-8) lang sein")
        }
        // bcrypt reads a C string: everything after a NUL would be ignored.
        if password.utf8.contains(0) { return LocalizedText("must not contain a NUL character", de: "darf kein NUL-Zeichen enthalten") }
        return nil
    }

    /// The roles `names` stand for, or the errors naming each unknown one (`roles[i]`).
    public static func roles(_ names: [String]) -> Result<Set<Role>, ValidationFailure> {
        var roles: Set<Role> = []
        var errors: [FieldError] = []
        for (index, name) in names.prefix(16).enumerated() {
            if let role = Role(rawValue: name.lowercased()) { roles.insert(role) } else {
                let known = Role.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError("roles[\(index)]", "unknown role '\(name.prefix(32))'; one of \(known)", de: "unbekannte Rolle '\(name.prefix(32))'; möglich sind \(known)"))
            }
        }
        if names.isEmpty { errors.append(FieldError("roles", "at least one role is required", de: "mindestens eine Rolle ist erforderlich")) }
        return errors.isEmpty ? .success(roles) : .failure(ValidationFailure(errors: errors))
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool { byte != UInt8(ascii: ".") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "_") }
}
