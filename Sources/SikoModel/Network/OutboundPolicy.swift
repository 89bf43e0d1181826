/// Which addresses the gateway may connect to on a partner's behalf: public ones, and private or
/// loopback ones only where the operator allowed them (`allowPrivateTargets`). Guards against
/// server-side request forgery into the agencies' own networks.
public struct OutboundPolicy: Sendable, Equatable {
    public var allowed: [CIDR]

    public init(allowed: [CIDR] = []) { self.allowed = allowed }

    /// Loopback, private, link-local, shared, multicast, reserved and unique-local ranges. Among the
    /// IPv6 ones: IPv4-compatible (`::/96`, which holds `::` and `::1`), site-local (`fec0::/10`),
    /// and the tunnels and translators that carry an IPv4 address inside (6to4 `2002::/16`, Teredo
    /// `2001::/32`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`), refused whole: both 6to4 and Teredo
    /// are retired, and what they lead to is decided by a relay, not by the address checked here.
    public static let nonPublic: [CIDR] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
        "::/96", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap(CIDR.init)

    /// How long the guard waits for a target's name lookup unless `dnsTimeout` says otherwise.
    public static let defaultDNSTimeout: Duration = .seconds(2)

    /// Loopback only: where an SMS gateway usually runs beside the gateway.
    public static let loopback: [CIDR] = ["127.0.0.0/8", "::1/128"].compactMap(CIDR.init)

    public func permits(_ address: IPAddress) -> Bool {
        let address = address.unmapped
        if allowed.contains(where: { $0.contains(address) }) { return true }
        return !Self.nonPublic.contains { $0.contains(address) }
    }

    /// True when an http (not https) URL may be used: only towards allow-listed networks.
    public func permitsPlainHTTP(to address: IPAddress) -> Bool {
        allowed.contains { $0.contains(address.unmapped) }
    }
}
