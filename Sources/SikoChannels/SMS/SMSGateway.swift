import SikoModel

/// One SMS as a gateway sends it.
public struct SMSMessage: Sendable, Equatable {
    public var deliveryId: String
    public var to: String
    public var text: String
    public var encoding: SMSText.Encoding
    /// Where the gateway reports on delivery: `%d` stands for the report's kind, `%A` for its text.
    public var reportURL: String?
}

/// A provider that takes SMS for delivery. Kannel's sendsms is the first; a generic JSON HTTP API
/// fits beside it without the channel or the dispatcher changing.
public protocol SMSGateway: Sendable {
    func submit(_ message: SMSMessage) async -> SendReport
    func shutdown() async throws
}
