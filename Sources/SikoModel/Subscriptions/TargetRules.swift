import Foundation

/// Whether a target fits its channel: an https URL (or an allow-listed http one) for webhooks,
/// an address for email, an E.164 number for SMS.
public struct TargetRules: Sendable {
    public var outbound: OutboundPolicy
    public var maxLength = 2048

    public init(outbound: OutboundPolicy) { self.outbound = outbound }

    /// A reason the target is refused, or nil when it is fine.
    public func problem(with target: String, channel: ChannelKind) -> LocalizedText? {
        guard target.utf8.count <= maxLength else {
            return LocalizedText("at most \(maxLength) characters", de: "höchstens \(maxLength) Zeichen")
        }
        switch channel {
        case .webhook: return webhookProblem(target)
        case .email: return Self.isEmailAddress(target) ? nil : LocalizedText("not an email address", de: "keine E-Mail-Adresse")
        case .sms:
            return Self.isE164(target) ? nil : LocalizedText(
                "not an E.164 number such as +4920112345678", de: "keine Rufnummer im Format E.164 wie +4920112345678"
            )
        }
    }

    private func webhookProblem(_ target: String) -> LocalizedText? {
        guard let components = URLComponents(string: target), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { return LocalizedText("not an absolute URL", de: "keine absolute URL") }
        guard components.user == nil, components.password == nil else {
            return LocalizedText("must not carry credentials", de: "darf keine Zugangsdaten enthalten")
        }
        guard components.fragment == nil else {
            return LocalizedText("must not have a fragment", de: "darf kein Fragment (#…) haben")
        }
        let literal = IPAddress(host) ?? (host.lowercased() == "localhost" ? IPAddress("127.0.0.1") : nil)
        if let literal, !outbound.permits(literal) {
            return LocalizedText(
                "address \(host) is private or loopback and not in allowPrivateTargets",
                de: "die Adresse \(host) ist privat oder Loopback und nicht in allowPrivateTargets"
            )
        }
        switch scheme {
        case "https": return nil
        case "http":
            guard let literal, outbound.permitsPlainHTTP(to: literal) else {
                return LocalizedText(
                    "must be https (http only towards networks in allowPrivateTargets)",
                    de: "muss https sein (http nur zu Netzen in allowPrivateTargets)"
                )
            }
            return nil
        default: return LocalizedText("must be an https URL", de: "muss eine https-URL sein")
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
