import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SikoModel

/// Checks, before each connection, that a host resolves only to addresses the outbound policy
/// permits, so a DNS name cannot lead the gateway into private networks. Results are cached briefly.
/// The caller connects to one of the addresses checked here (plain http) or lets TLS prove the name
/// (https), so a name that resolves differently a moment later (DNS rebinding) gains nothing.
public final class OutboundGuard: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Every address the host resolves to is permitted; these are they.
        case allowed([IPAddress])
        case refused(String)
        /// The lookup failed; worth trying again later, so it is not cached.
        case unresolvable(String)
    }

    private let policy: OutboundPolicy
    private let cacheLifetime: TimeInterval
    private let cache = NIOLockedValueBox([String: (verdict: Verdict, expires: Date)]())

    public init(policy: OutboundPolicy, cacheLifetime: TimeInterval = 30) {
        self.policy = policy
        self.cacheLifetime = cacheLifetime
    }

    /// An http(s) URL's host, on its port (80 or 443 unless it names one).
    public func check(_ url: URLComponents) async -> Verdict {
        guard let host = url.host, !host.isEmpty else { return .refused("the URL has no host") }
        return await check(host: host, port: url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80))
    }

    public func check(host: String, port: Int) async -> Verdict {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = IPAddress(bare) {
            return policy.permits(literal) ? .allowed([literal]) : .refused("address \(host) is private or loopback and not allowed")
        }
        let now = Date()
        if let cached = cache.withLockedValue({ $0[host] }), cached.expires > now { return cached.verdict }
        let verdict: Verdict
        do {
            let addresses = try await Self.resolve(host: host, port: port)
            if addresses.isEmpty {
                verdict = .refused("\(host) does not resolve")
            } else if let bad = addresses.first(where: { !policy.permits($0) }) {
                verdict = .refused("\(host) resolves to \(bad), which is private or loopback and not allowed")
            } else {
                verdict = .allowed(addresses)
            }
        } catch {
            return .unresolvable("cannot resolve \(host): \(error)")
        }
        cache.withLockedValue { $0[host] = (verdict, now.addingTimeInterval(cacheLifetime)) }
        return verdict
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

    /// getaddrinfo blocks, so it runs on NIO's thread pool, never on the event loops or the
    /// cooperative pool.
    private static func resolve(host: String, port: Int) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive { try addresses(of: host, port: port) }
    }

    struct ResolutionError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: gai_strerror(code)) }
    }

    private static func addresses(of host: String, port: Int) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &result)
        guard code == 0, let first = result else { throw ResolutionError(code: code) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin6_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
