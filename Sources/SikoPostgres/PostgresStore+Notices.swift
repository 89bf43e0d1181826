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
}
