import AsyncHTTPClient
import NIOConcurrencyHelpers
import SikoModel

/// HTTP clients that connect a host name to the one address the outbound guard checked, while TLS
/// still sends the name (SNI) and checks the certificate for it. AsyncHTTPClient would otherwise
/// resolve the name again, and a name that answers differently a moment later (DNS rebinding)
/// would reach an internal host. One client per (name, address), kept for the most recently used
/// few; an evicted client is closed once its sends in flight have had their timeout.
final class PinnedClients: Sendable {
    private struct Pool {
        var clients: [String: HTTPClient] = [:]
        /// Keys, least recently used first.
        var order: [String] = []
    }

    private let configuration: HTTPClient.Configuration
    private let capacity: Int
    private let grace: Duration
    private let pool = NIOLockedValueBox(Pool())

    init(configuration: HTTPClient.Configuration, capacity: Int = 256, grace: Duration) {
        self.configuration = configuration
        self.capacity = capacity
        self.grace = grace
    }

    /// The client for `host` pinned to `address`.
    func client(host: String, address: IPAddress) -> HTTPClient {
        let key = host + "@" + address.description
        let (client, evicted): (HTTPClient, HTTPClient?) = pool.withLockedValue { pool in
            if let known = pool.clients[key] {
                if pool.order.last != key, let index = pool.order.firstIndex(of: key) {
                    pool.order.remove(at: index)
                    pool.order.append(key)
                }
                return (known, nil)
            }
            var configuration = self.configuration
            configuration.dnsOverride = [host: address.description]
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            pool.clients[key] = made
            pool.order.append(key)
            guard pool.order.count > capacity else { return (made, nil) }
            let oldest = pool.order.removeFirst()
            return (made, pool.clients.removeValue(forKey: oldest))
        }
        if let evicted {
            let grace = grace
            Task {
                try? await Task.sleep(for: grace)
                try? await evicted.shutdown()
            }
        }
        return client
    }

    var count: Int { pool.withLockedValue { $0.clients.count } }

    func shutdown() async {
        let clients = pool.withLockedValue { pool in
            defer { pool = Pool() }
            return Array(pool.clients.values)
        }
        for client in clients { try? await client.shutdown() }
    }
}
