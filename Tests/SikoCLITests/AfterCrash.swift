import Foundation
import SikoModel

/// What the crash suites read from a store once the gateways are done with it.
enum AfterCrash {
    /// Waits while the queue keeps shrinking: a slow machine gets as long as it needs, a stuck
    /// gateway (no progress for 2 minutes) leaves it unfinished for the checks that follow.
    static func waitWhileShrinking(_ store: any DeliveryQueue) async throws {
        var open = Int.max
        var lastProgress = ContinuousClock.now
        while ContinuousClock.now - lastProgress < .seconds(120) {
            let counts = try await store.queueStats(now: Date())
            let left = counts.due + counts.scheduled + counts.sending
            if left == 0 { return }
            if left < open {
                open = left
                lastProgress = ContinuousClock.now
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Every delivery, page by page.
    static func allDeliveries(_ store: any DeliveryLog) async throws -> [Delivery] {
        var all: [Delivery] = []
        var page = try await store.deliveries(matching: DeliveryQuery(limit: 1000))
        while !page.isEmpty {
            all += page
            page = try await store.deliveries(matching: DeliveryQuery(limit: 1000, after: page.last!.id))
        }
        return all
    }
}
