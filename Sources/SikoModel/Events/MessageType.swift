/// What an event is to the ones before it (CAP's `msgType`): news, a correction or a cancellation
/// of an earlier event, or a receiver's answer to one.
public enum MessageType: String, Codable, Sendable, CaseIterable {
    case alert, update, cancel, ack, error

    /// Updates and cancellations go to the original's recipients, never to a new match.
    public var isCorrection: Bool { self == .update || self == .cancel }

    /// What every channel shows before the title, so nobody reads a correction as news.
    public func mark(language: Language) -> String? {
        switch (self, language) {
        case (.update, .de): "AKTUALISIERUNG"
        case (.update, .en): "AKTUALISIERUNG (UPDATE)"
        case (.cancel, .de): "AUFHEBUNG"
        case (.cancel, .en): "AUFHEBUNG (CANCELLATION)"
        default: nil
        }
    }
}

/// An event's title and body in a further language (a CAP alert's `info` blocks): subscribers
/// reading that language get it in place of the event's own.
public struct EventTranslation: Sendable, Codable, Equatable, Hashable {
    public var language: Language
    public var title: String
    public var body: String?

    public init(language: Language, title: String, body: String?) {
        self.language = language
        self.title = title
        self.body = body
    }
}
