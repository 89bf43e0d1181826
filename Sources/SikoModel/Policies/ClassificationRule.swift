import Foundation

/// How `restricted` (VS-NfD) events travel on each channel: in full, as a teaser that points to
/// the portal, or not at all. Email and SMS never carry them in full (the loader refuses that);
/// a webhook carries them in full only to an https target or to an allow-listed network.
public struct ClassificationRule: Sendable, Equatable {
    public enum Treatment: String, Sendable, CaseIterable {
        case full
        case teaser
        case suppress
    }

    public var restricted: [ChannelKind: Treatment]
    /// Networks a plain-http webhook may carry restricted content in full to (literal addresses only).
    public var fullContentNetworks: [CIDR]

    public static let standard = ClassificationRule(restricted: [.webhook: .full, .email: .teaser, .sms: .teaser])

    public init(restricted: [ChannelKind: Treatment], fullContentNetworks: [CIDR] = []) {
        self.restricted = restricted
        self.fullContentNetworks = fullContentNetworks
    }

    public enum Verdict: Sendable, Equatable {
        case send(DeliveryContent, reason: String?)
        case suppress(reason: String)
    }

    public func verdict(for classification: Classification, subscription: Subscription) -> Verdict {
        guard classification == .restricted else { return .send(.full, reason: nil) }
        switch restricted[subscription.channel] ?? .teaser {
        case .suppress:
            return .suppress(reason: "VS-NfD content is not sent over \(subscription.channel.rawValue)")
        case .teaser:
            return .send(.teaser, reason: "VS-NfD: teaser only over \(subscription.channel.rawValue)")
        case .full:
            guard subscription.channel == .webhook else {
                return .send(.teaser, reason: "VS-NfD: teaser only over \(subscription.channel.rawValue)")
            }
            if carriesInFull(webhook: subscription.target) { return .send(.full, reason: "VS-NfD in full: encrypted or allow-listed target") }
            return .send(.teaser, reason: "VS-NfD: teaser only, the target is neither https nor in an allow-listed network")
        }
    }

    private func carriesInFull(webhook target: String) -> Bool {
        guard let url = URL(string: target), let scheme = url.scheme?.lowercased() else { return false }
        if scheme == "https" { return true }
        guard scheme == "http", let host = url.host(percentEncoded: false),
              let address = IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) else { return false }
        return fullContentNetworks.contains { $0.contains(address) }
    }
}
