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
    /// The Geschäftsstelle publishes through bulletins; a key without `events:publish-direct` may not publish directly.
    case fourEyesRequired
    /// Bulletins are written and approved by people: a system's key has no person behind it.
    case personRequired
    /// Bulletins belong to the Geschäftsstelle: another partner's key may not write or approve them.
    case centralOfficeOnly
    /// The approver wrote or edited the bulletin (login of the approver).
    case fourEyes(bulletin: String, approver: String)
    /// Approval named a version that is no longer the current one.
    case versionConflict(bulletin: String, named: Int, current: Int)
    /// No such bulletin (or not the caller's to see).
    case bulletinNotFound(String)
    /// The bulletin's state does not allow the step.
    case wrongState(bulletin: String, action: BulletinAction, status: BulletinStatus)
    /// A body that is not what it says it is (a CAP alert with a DTD, not XML, not UTF-8): 400.
    case unreadable(type: String, title: String, detail: String)
    /// Only the event's publisher may update or cancel it.
    case notPublisher(event: String)

    /// One wrong field.
    static func invalid(_ field: String, _ text: LocalizedText) -> ServiceError {
        .invalid(ValidationFailure(errors: [FieldError(field, text)]))
    }

    static func invalid(_ field: String, _ message: String, de: String) -> ServiceError {
        invalid(field, LocalizedText(message, de: de))
    }
}
