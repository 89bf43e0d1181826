/// A text in both languages the gateway speaks: English, the API's language for machine-facing
/// fields (the contract's `message`), and German, what the people at the partners read first.
public struct LocalizedText: Sendable, Equatable, Hashable {
    public var en: String
    public var de: String

    /// No default for `de`: a text added without its German would show English in the console.
    public init(_ en: String, de: String) {
        self.en = en
        self.de = de
    }

    public func text(in language: Language) -> String {
        switch language {
        case .de: de
        case .en: en
        }
    }
}

/// One wrong field of a request, named by its JSON path, with what is wrong in English (`message`,
/// as the contract has it) and in German (`messageDe`, what the console shows beside the field).
public struct FieldError: Sendable, Equatable, Codable {
    public var field: String
    public var message: String
    public var messageDe: String

    public init(_ field: String, _ message: String, de: String) {
        self.field = field
        self.message = message
        self.messageDe = de
    }

    public init(_ field: String, _ text: LocalizedText) {
        self.init(field, text.en, de: text.de)
    }

    public var text: LocalizedText { LocalizedText(message, de: messageDe) }

    public func message(in language: Language) -> String { text.text(in: language) }
}

/// Every wrong field of a request at once, so a publisher fixes them in one round.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(errors: [FieldError]) { self.errors = errors }
}
