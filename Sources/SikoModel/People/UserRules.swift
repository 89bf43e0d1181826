import Foundation

/// What a login, a name, a password and a list of roles must be. Messages German first, with the
/// English after, as people read them in the console and at the command line.
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
    public static func loginProblem(_ login: String) -> String? {
        let allowed = login.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard allowed, loginLength.contains(login.utf8.count), let first = login.utf8.first, let last = login.utf8.last,
              isLetterOrDigit(first), isLetterOrDigit(last)
        else {
            return "Der Anmeldename besteht aus 2 bis 64 Kleinbuchstaben, Ziffern, Punkten, Binde- oder Unterstrichen und beginnt und endet mit einem Buchstaben oder einer Ziffer, z. B. anna.schmidt (2 to 64 lowercase letters, digits, dots, hyphens or underscores)"
        }
        // Users are named by id or login in the same place; an id-shaped login would be ambiguous.
        if login.hasPrefix("usr_") { return "Der Anmeldename darf nicht mit usr_ beginnen (must not start with usr_)" }
        return nil
    }

    public static func nameProblem(_ name: String) -> String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "Der Name fehlt (is required)" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "Der Name darf keine Steuerzeichen enthalten (must not contain control characters)"
        }
        return nameLimit.problem(with: name).map { "Der Name ist zu lang (\($0))" }
    }

    public static func passwordProblem(_ password: String) -> String? {
        if password.count < passwordMinimum {
            return "Das Passwort muss mindestens \(passwordMinimum) Zeichen lang sein (at least \(passwordMinimum) characters)"
        }
        if password.utf8.count > passwordMaximumBytes {
            return "Das Passwort darf höchstens \(passwordMaximumBytes) Bytes lang sein (at most \(passwordMaximumBytes) bytes of UTF-8)"
        }
        // bcrypt reads a C string: everything after a NUL would be ignored.
        if password.utf8.contains(0) { return "Das Passwort darf kein NUL-Zeichen enthalten (must not contain NUL)" }
        return nil
    }

    /// The roles `names` stand for, or the errors naming each unknown one (`roles[i]`).
    public static func roles(_ names: [String]) -> Result<Set<Role>, ValidationFailure> {
        var roles: Set<Role> = []
        var errors: [FieldError] = []
        for (index, name) in names.prefix(16).enumerated() {
            if let role = Role(rawValue: name.lowercased()) { roles.insert(role) } else {
                errors.append(FieldError("roles[\(index)]", "Unbekannte Rolle '\(name.prefix(32))'; möglich sind \(Role.allCases.map(\.rawValue).joined(separator: ", ")) (unknown role)"))
            }
        }
        if names.isEmpty { errors.append(FieldError("roles", "Mindestens eine Rolle ist nötig (at least one role)")) }
        return errors.isEmpty ? .success(roles) : .failure(ValidationFailure(errors: errors))
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool { byte != UInt8(ascii: ".") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "_") }
}
