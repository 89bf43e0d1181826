/// The ways a notification can travel.
public enum ChannelKind: String, Codable, Sendable, CaseIterable {
    case email, sms, webhook
}
