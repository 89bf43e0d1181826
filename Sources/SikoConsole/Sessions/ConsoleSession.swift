import Foundation
import SikoModel

/// What a console session remembers between requests. The person's roles and clearance are not
/// kept here but read fresh (`SignInService.activeUser`), so a change takes effect at once.
public struct ConsoleSession: Codable, Sendable, Equatable {
    public var userID: String
    /// When the person signed in: the absolute limit counts from here.
    public var createdAt: Date
    /// Every form carries it; a POST without the same token is refused.
    public var csrfToken: String
    public var language: Language

    public init(userID: String, createdAt: Date, csrfToken: String = ConsoleSession.makeCSRFToken(), language: Language) {
        self.userID = userID
        self.createdAt = createdAt
        self.csrfToken = csrfToken
        self.language = language
    }

    /// A fresh session for `user`, signed in at `date`.
    public init(signedIn user: User, at date: Date) {
        self.init(userID: user.id, createdAt: date, language: user.language)
    }

    /// 256 random bits, URL-safe base64.
    public static func makeCSRFToken() -> String { CSRFToken.make() }

    /// Whether a form's token is this session's, compared in constant time.
    public func accepts(csrfToken candidate: String?) -> Bool { CSRFToken.matches(candidate, csrfToken) }

    /// Whether the absolute limit still lets the session be used at `now` (the store checks it as well).
    public func isWithinAbsoluteLimit(at now: Date, lifetime: SessionLifetime = .standard) -> Bool {
        now < lifetime.end(createdAt: createdAt)
    }
}
