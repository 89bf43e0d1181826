import Foundation
import PostgresNIO
import SikoModel

extension PostgresStore: StoreChanges {
    /// One connection of the pool listens on `siko` for as long as the stream is iterated. When it
    /// breaks (the database restarts, a failover), it is opened again with backoff, up to 5 s apart.
    public func notices() -> AsyncStream<StoreNotice> {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreNotice.self, bufferingPolicy: .bufferingNewest(16))
        let client = self.client
        let logger = self.logger
        let listening = Task {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: "siko") { notifications in
                            backoff = .milliseconds(100)
                            continuation.yield(.reconnected)
                            for try await notification in notifications {
                                if let notice = StoreNotice(rawValue: notification.payload) { continuation.yield(notice) }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("listening for other gateways' notices failed; trying again", metadata: [
                        "error": "\(PostgresPool.reason(error))", "in": "\(backoff)",
                    ])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listening.cancel() }
        return stream
    }

    public func subscriptionsVersion() async throws -> String {
        let (count, sum) = try await rows("SELECT count(*), coalesce(sum(version), 0)::bigint FROM subscription")[0].decode((Int64, Int64).self)
        return "\(count):\(sum)"
    }

    public func announce(_ gateway: GatewayPresence, within: Duration) async throws -> [GatewayPresence] {
        let now = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
        let started = Int64(gateway.startedAt.timeIntervalSince1970 * 1000)
        let window = Int64(within.timeInterval * 1000)
        try await execute("""
            INSERT INTO gateway_presence (id, host, started_at, seen_at, rules, channels)
            VALUES (\(gateway.id), \(gateway.host), \(started), \(unescaped: now), \(gateway.rules), \(gateway.channels))
            ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, rules = excluded.rules, channels = excluded.channels
            """)
        // Gateways gone for a day are forgotten, so the table stays as small as the installation.
        try await execute("DELETE FROM gateway_presence WHERE seen_at < \(unescaped: now) - 86400000")
        return try await rows("""
            SELECT id, host, started_at, rules, channels FROM gateway_presence
            WHERE seen_at >= \(unescaped: now) - \(window) ORDER BY started_at, id
            """).map { row in
            let (id, host, started, rules, channels) = try row.decode((String, String, Int64, String, String).self)
            return GatewayPresence(
                id: id, host: host, startedAt: Date(timeIntervalSince1970: Double(started) / 1000), rules: rules, channels: channels
            )
        }
    }

    /// Bounded tightly: a database away must not hold up the gateway's stop (unwithdrawn, the
    /// gateway is counted out when its announcement goes stale).
    public func withdraw(_ gatewayID: String) async throws {
        let client = self.client, logger = self.logger
        _ = try await Self.givingUp(after: Self.readinessBound) {
            try await Self.onConnection(client, within: Self.readinessBound) { connection in
                try await connection.execute("DELETE FROM gateway_presence WHERE id = \(gatewayID)", logger: logger)
            }
        }
    }
}
