import Foundation

/// `Display Name <address@example.org>` or a bare address.
public struct Mailbox: Sendable, Equatable {
    public var name: String?
    public var address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            self.init(name: name.isEmpty ? nil : name, address: address)
        } else {
            self.init(name: nil, address: trimmed)
        }
        guard TargetRules.isEmailAddress(address) else { return nil }
    }

    public var domain: String { address.split(separator: "@").last.map(String.init) ?? "localhost" }
}
