import CoreMetrics
import Foundation
import SikoModel

/// The queue as gauges, read from the store when `/metrics` is scraped:
/// `siko_delivery_queue{state="due|scheduled|sending"}` and `siko_delivery_oldest_due_seconds`.
struct QueueMetrics: Sendable {
    private let due: Gauge
    private let scheduled: Gauge
    private let sending: Gauge
    private let oldestDue: Gauge

    init(factory: any MetricsFactory) {
        due = Gauge(label: "siko_delivery_queue", dimensions: [("state", "due")], factory: factory)
        scheduled = Gauge(label: "siko_delivery_queue", dimensions: [("state", "scheduled")], factory: factory)
        sending = Gauge(label: "siko_delivery_queue", dimensions: [("state", "sending")], factory: factory)
        oldestDue = Gauge(label: "siko_delivery_oldest_due_seconds", factory: factory)
    }

    func record(_ stats: QueueStats, now: Date) {
        due.record(stats.due)
        scheduled.record(stats.scheduled)
        sending.record(stats.sending)
        oldestDue.record(stats.oldestDue.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }
}
