import Foundation
import SikoModel

/// Readiness and the queue's figures, for `/ready` and `/metrics`.
public struct OperationsService: Sendable {
    let health: any StoreHealth
    let queue: any DeliveryQueue
    let metrics: QueueMetrics
    let clock: any WallClock

    /// Throws when the store cannot be read and written now (`StoreRefusal` tells why).
    public func ready() async throws {
        try await health.ping()
    }

    /// Takes back the deliveries a stopped process left `sending`, before the dispatcher starts;
    /// answers how many.
    public func recoverInterruptedSends() async throws -> Int {
        try await queue.recoverAbandonedLeases(at: clock.now())
    }

    /// Reads the queue's depth and age into the metrics (before each scrape).
    public func refreshQueueMetrics() async throws {
        let now = clock.now()
        metrics.record(try await queue.queueStats(now: now), now: now)
    }
}
