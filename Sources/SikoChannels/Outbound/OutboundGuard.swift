import Foundation
import SikoModel

/// Checks, before each connection, that a host resolves only to addresses the outbound policy
/// permits, so a DNS name cannot lead the gateway into private networks. The caller connects to one
/// of the addresses checked here (plain http) or lets TLS prove the name (https), so a name that
/// resolves differently a moment later (DNS rebinding) gains nothing.
public final class OutboundGuard: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Every address the host resolves to is permitted; these are they.
        case allowed([IPAddress])
        /// Why, in both languages: English for a delivery's record, German for the console.
        case refused(LocalizedText)
        /// The lookup failed, timed out or found the resolver busy: worth trying again later.
        case unresolvable(String)
    }

    private let policy: OutboundPolicy
    private let dnsTimeout: Duration
    private let resolver: HostResolver

    public init(policy: OutboundPolicy, dnsTimeout: Duration = OutboundPolicy.defaultDNSTimeout, resolver: HostResolver = .shared) {
        self.policy = policy
        self.dnsTimeout = dnsTimeout
        self.resolver = resolver
    }

    /// An http(s) URL's host.
    public func check(_ url: URLComponents) async -> Verdict {
        guard let host = url.host, !host.isEmpty else { return .refused(LocalizedText("the URL has no host", de: "die URL hat keinen Host")) }
        return await check(host: host)
    }

    public func check(host: String) async -> Verdict {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = IPAddress(bare) {
            guard policy.permits(literal) else {
                return .refused(LocalizedText(
                    "address \(host) is private or loopback and not allowed", de: "die Adresse \(host) ist privat oder Loopback und nicht erlaubt"
                ))
            }
            return .allowed([literal])
        }
        switch await resolver.resolve(bare.lowercased(), within: dnsTimeout) {
        case .failed(let reason):
            return .unresolvable(reason)
        case .addresses(let addresses):
            if addresses.isEmpty { return .refused(LocalizedText("\(host) does not resolve", de: "\(host) löst sich nicht auf")) }
            if let bad = addresses.first(where: { !policy.permits($0) }) {
                return .refused(LocalizedText(
                    "\(host) resolves to \(bad), which is private or loopback and not allowed",
                    de: "\(host) löst sich in \(bad) auf, eine private oder Loopback-Adresse, die nicht erlaubt ist"
                ))
            }
            return .allowed(addresses)
        }
    }

    /// For plain http, the URL with its host name replaced by a checked address (and the name for
    /// the Host header), so the connection goes where the guard looked and nowhere a second DNS
    /// answer might point. https keeps the name: the certificate must prove it, and no request byte
    /// leaves before the handshake does. Nil when there is nothing to pin.
    public static func pinned(_ url: URLComponents, to addresses: [IPAddress]) -> (url: String, host: String)? {
        guard url.scheme?.lowercased() == "http", let address = addresses.first, let name = url.percentEncodedHost,
              IPAddress(name) == nil, !name.hasPrefix("[") else { return nil }
        var pinned = url
        pinned.percentEncodedHost = address.isV4 ? address.description : "[\(address.description)]"
        guard let text = pinned.string else { return nil }
        return (text, url.port.map { "\(name):\($0)" } ?? name)
    }
}
