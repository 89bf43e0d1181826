import Foundation

/// The gateway's own pages as others reach them: the public URL and the server's paths, so a
/// channel puts a link in a message without knowing the server's routes.
public struct Links: Sendable, Equatable {
    /// Used when a channel file names no `publicURL`.
    public static let defaultPublicURL = "http://127.0.0.1:8080"
    /// An event's page in the console, where a person follows its deliveries (signing in first).
    public static let eventPagesPath = "/meldungen"
    public static let subscriptionsPath = "/v1/subscriptions"
    public static let smsReportsPath = "/v1/callbacks/sms"

    /// The public URL without its trailing "/", so every path is appended the same way.
    public let base: String

    public init(publicURL: String) {
        base = publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    public func event(_ id: String) -> String { base + Self.eventPagesPath + "/" + id }

    public func subscription(_ id: String) -> String { base + Self.subscriptionsPath + "/" + id }

    /// Where an SMS gateway reports on one delivery. `status` and `answer` are the gateway's own
    /// placeholders (Kannel's `%d` and `%A`), which it fills in for each report.
    public func smsReport(delivery id: String, token: String, status: String, answer: String) -> String {
        base + Self.smsReportsPath + "?delivery=\(id)&token=\(token)&status=\(status)&answer=\(answer)"
    }
}
