import Foundation

/// What a console session keeps between requests; the store holds it under the hashed session id.
public struct ConsoleSession: Codable, Sendable, Equatable {
    public var userID: String
    /// For the absolute limit: a session ends 12 hours after sign-in however busy it is.
    public var createdAt: Date
    /// Every form of this session carries it; a POST without it is refused.
    public var csrfToken: String
    public var language: String

    public init(userID: String, createdAt: Date, csrfToken: String, language: String) {
        self.userID = userID
        self.createdAt = createdAt
        self.csrfToken = csrfToken
        self.language = language
    }
}
