/// What a webhook receives: the JSON event envelope (the default), or the event as a CAP 1.2
/// alert for receivers that already read CAP (warning systems, control rooms). Email and SMS are
/// read by people, so they always get their templates.
public enum PayloadFormat: String, Codable, Sendable, CaseIterable {
    case json, cap
}
