import Foundation

/// Whether a target fits its channel: an https URL (or an allow-listed http one) for webhooks,
/// an address for email, an E.164 number for SMS.
public struct TargetRules: Sendable {
    public var outbound: OutboundPolicy
    public var maxLength = 2048

    public init(outbound: OutboundPolicy) { self.outbound = outbound }

    /// A reason the target is refused, or nil when it is fine.
    public func problem(with target: String, channel: ChannelKind) -> String? {
        guard target.utf8.count <= maxLength else { return "at most \(maxLength) characters" }
        switch channel {
        case .webhook: return webhookProblem(target)
        case .email: return Self.isEmailAddress(target) ? nil : "not an email address"
        case .sms: return Self.isE164(target) ? nil : "not an E.164 number such as +4920112345678"
        }
    }

    private func webhookProblem(_ target: String) -> String? {
        guard let components = URLComponents(string: target), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { return "not an absolute URL" }
        guard components.user == nil, components.password == nil else { return "must not carry credentials" }
        guard components.fragment == nil else { return "must not have a fragment" }
        let literal = IPAddress(host) ?? (host.lowercased() == "localhost" ? IPAddress("127.0.0.1") : nil)
        if let literal, !outbound.permits(literal) {
            return "address \(host) is private or loopback and not in allowPrivateTargets"
        }
        switch scheme {
        case "https": return nil
        case "http":
            guard let literal, outbound.permitsPlainHTTP(to: literal) else {
                return "must be https (http only towards networks in allowPrivateTargets)"
            }
            return nil
        default: return "must be an https URL"
        }
    }

    static func isE164(_ value: String) -> Bool {
        let digits = value.utf8.dropFirst()
        return value.utf8.first == UInt8(ascii: "+") && (8...15).contains(digits.count)
            && digits.first != UInt8(ascii: "0") && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    public static func isEmailAddress(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64, parts[1].contains("."),
              !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }) else { return false }
        return !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !parts[1].contains("..")
    }
}
