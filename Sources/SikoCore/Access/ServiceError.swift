import SikoModel

/// Why a service refused; each front end says it in its own way (problem+json, a console message,
/// a CLI line), from the same decision.
public enum ServiceError: Error, Equatable {
    case missingScope(Scope)
    case invalid(ValidationFailure)
    /// Unknown, or not the caller's to see: the two answer alike, so ids reveal nothing.
    case notFound(String)
    case outsideJurisdiction(partner: String, areas: [String])
    /// The state does not allow it now (`type` names the rule, e.g. `not-retryable`).
    case conflict(type: String, title: String, detail: String)
    /// Allowed in principle, but over a limit (`subscription-limit`).
    case limit(type: String, title: String, detail: String)

    /// One wrong field.
    static func invalid(_ field: String, _ text: LocalizedText) -> ServiceError {
        .invalid(ValidationFailure(errors: [FieldError(field, text)]))
    }

    static func invalid(_ field: String, _ message: String, de: String) -> ServiceError {
        invalid(field, LocalizedText(message, de: de))
    }
}
