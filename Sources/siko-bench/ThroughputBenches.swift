import Foundation
import SikoModel
import SikoCore
import SikoSQLite

/// Events accepted per second: every 202 means the event is durably in SQLite.
struct IngestBench {
    let rules: String

    func run() async throws {
        print("ingest (POST /v1/events over HTTP, each answered after its durable commit)")
        try await LiveGateway.with(rules: rules) { live in
            let key = try await live.key("stadt-essen", [.eventsPublish])
            _ = try await live.publish(count: 2000, workers: 64, key: key)  // warm-up
            for workers in [1, 16, 64] {
                let count = workers == 1 ? 3000 : 20_000
                let seconds = try await live.publish(count: count, workers: workers, key: key)
                report("\(workers) concurrent clients, no subscribers", String(format: "%.0f events/s  (%d events in %.2f s)", Double(count) / seconds, count, seconds))
            }
        }
    }
}

/// Webhook deliveries per second, from the first POST until every delivery is recorded final,
/// to 1, 10 and 1000 targets (each capped at its own `perTargetConcurrency`), and with a tenth of
/// 1000 targets on a second host that answers 503 to everything.
struct FanoutBench {
    let rules: String

    func run() async throws {
        print("fan-out (webhook deliveries to N targets on one local receiver, from the first POST until all are recorded final)")
        for (targets, events, failEvery) in [(1, 5000, nil), (10, 1000, nil), (1000, 10, nil), (1000, 10, 10)] as [(Int, Int, Int?)] {
            // Failing targets live on a host of their own, as a partner's system that is down would.
            let receiver = BenchReceiver()
            let broken = BenchReceiver(failEvery: 1)
            try await receiver.serve { url in try await broken.serve { brokenURL in
                try await LiveGateway.with(rules: rules) { live in
                    let manager = try await live.key("stadt-essen", [.subscriptionsManage])
                    for number in 0..<targets {
                        let failing = failEvery.map { number % $0 == 0 } ?? false
                        try await live.subscribe(manager, areas: #"["ruhr"]"#, target: "\(failing ? brokenURL : url)/\(number)")
                    }
                    let publisher = try await live.key("stadt-essen", [.eventsPublish])
                    let expected = events * targets
                    let healthy = failEvery.map { expected - expected / $0 } ?? expected
                    let start = ContinuousClock.now
                    _ = try await live.publish(count: events, workers: 8, key: publisher)
                    while receiver.received.load(ordering: .relaxed) < healthy, elapsed(since: start) < 300 {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    let healthySeconds = elapsed(since: start)
                    // Recorded, not only received: nothing due or in flight. Failing ones may wait for a later try
                    // (or for their host's breaker), which is the point of a retry schedule.
                    while elapsed(since: start) < 300 {
                        let queue = try await live.store.queueStats(now: Date())
                        if queue.due + queue.sending + (failEvery == nil ? queue.scheduled : 0) == 0 { break }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    let seconds = elapsed(since: start)
                    let delivered = try await live.store.deliveries(matching: DeliveryQuery(status: .delivered, limit: 1000)).count
                    let label = "\(targets) target\(targets == 1 ? "" : "s")" + (failEvery.map { ", 1 in \($0) failing" } ?? "")
                    if failEvery == nil {
                        report(label, String(format: "%.0f deliveries/s  (%d in %.2f s; first 1000 checked delivered: %d)",
                            Double(expected) / seconds, expected, seconds, delivered))
                    } else {
                        report(label, String(format: "%.0f healthy deliveries/s  (%d in %.2f s; %d refused tries, nothing due after %.2f s)",
                            Double(healthy) / healthySeconds, healthy, healthySeconds, broken.refused.load(ordering: .relaxed), seconds))
                    }
                }
            } }
        }
    }
}

/// Event-to-webhook latency at moderate load: one subscriber, events at a steady pace.
struct LatencyBench {
    let rules: String

    func run() async throws {
        print("latency (POST /v1/events to the receiver's arrival, one subscriber, 200 events/s)")
        let receiver = BenchReceiver()
        try await receiver.serve { url in
            try await LiveGateway.with(rules: rules) { live in
                let manager = try await live.key("stadt-essen", [.subscriptionsManage])
                try await live.subscribe(manager, areas: #"["essen"]"#, target: url)
                let publisher = try await live.key("stadt-essen", [.eventsPublish])
                var sent: [(String, ContinuousClock.Instant)] = []
                for index in 0..<1000 {
                    let start = ContinuousClock.now
                    let (_, body) = try await live.post("/v1/events", key: publisher, json: """
                        {"topic":"razzia","urgency":"high","areas":["essen"],"title":"Latenz \(index)"}
                        """)
                    let eventID = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String ?? ""
                    sent.append((eventID, start))
                    try await Task.sleep(until: start + .milliseconds(5))
                }
                try await Task.sleep(for: .seconds(1))
                var latencies: [Double] = []
                let arrivals = receiver.arrivals.withLock { $0 }
                for (eventID, start) in sent {
                    guard let delivery = try await live.store.deliveries(eventID: eventID).first, let arrival = arrivals[delivery.id] else { continue }
                    let duration = arrival - start
                    latencies.append(Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
                }
                let sample = Sample(values: latencies)
                report("\(latencies.count) of \(sent.count) events arrived", String(format: "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                    sample.median, sample.percentile(0.9), sample.percentile(0.99), sample.percentile(1)))
            }
        }
    }
}
