import SikoModel

/// A CAP alert in the gateway's terms: what to publish, and how it relates to earlier alerts.
public struct CAPMessage: Sendable, Equatable {
    public var messageType: MessageType
    /// `cap:sender,identifier`: the same alert again from the same partner is a duplicate.
    public var idempotencyKey: String
    public var references: [CAPAlert.Reference]
    /// Nil when the alert has no `info` (a Cancel, Ack or Error may leave it out): the referenced
    /// event's topic, areas and title stand in.
    public var submission: EventSubmission?
    public var translations: [EventTranslation]
    /// Why nobody is told (status Test or System), if so: stored and answered, sent to nobody.
    public var silence: String?
    /// The CAP element behind each field of the submission, to name in the errors of later checks.
    public var elements: [String: String]

    /// The key of the alert `sender` sent as `identifier`, as publishing stores it.
    public static func idempotencyKey(sender: String, identifier: String) -> String { "cap:\(sender),\(identifier)" }

    /// Errors of the event's own checks (`title`, `expiresAt` …) renamed to the CAP elements they came from.
    public func renamed(_ failure: ValidationFailure) -> ValidationFailure {
        ValidationFailure(errors: failure.errors.map { error in
            let head = error.field.prefix { $0 != "[" && $0 != "." }
            guard let element = elements[String(head)] else { return error }
            return FieldError(element + error.field.dropFirst(head.count), error.message, de: error.messageDe)
        })
    }
}
