import Foundation
import SikoModel

/// Who sent a request: the socket's peer, or, when the peer is a proxy we trust, the address it
/// names in `X-Forwarded-For`. A header from anyone else is ignored, since anyone can write one.
public struct ClientAddress: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) { self.trustedProxies = trustedProxies }

    /// Walks `X-Forwarded-For` from the right (the hop nearest to us) past trusted proxies; the
    /// first address not among them is the client. Nil when the peer is unknown.
    public func client(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard var client = peer else { return nil }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.reversed()
        for hop in hops {
            guard isTrusted(client), let address = IPAddress(hop.trimmingCharacters(in: .whitespaces)) else { break }
            client = address
        }
        return client
    }

    /// The name a client's bucket goes by: the address, or for IPv6 its /64, which one
    /// subscriber usually holds whole.
    public static func bucket(of address: IPAddress?) -> String {
        guard let address = address?.unmapped else { return "" }
        return address.isV4 ? address.description : IPAddress(bytes: Array(address.bytes.prefix(8)) + Array(repeating: 0, count: 8)).description
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
