import Foundation
import SikoConfig
import SikoModel

/// One event against many subscriptions: the in-memory index alone, no I/O.
struct MatchingBench {
    let rules: String

    func run() throws {
        let reference = try RulesLoader(directory: rules).load().reference
        print("matching (one event against N subscriptions, spread over all areas and topics)")
        for count in [10_000, 100_000] {
            var generator = SeededGenerator(seed: 42)
            let areas = reference.areas.areas.map(\.id)
            let local = reference.areas.areas.filter { $0.kind == .gemeinde || $0.kind == .kreisfreieStadt }.map(\.id)
            let topics = reference.topics.map(\.id)
            var subscriptions: [Subscription] = []
            subscriptions.reserveCapacity(count)
            let now = Date()
            for index in 0..<count {
                // Most partners watch their own city or Kreis; some a larger area; a third take every topic.
                let area = index % 20 == 0 ? areas[Int.random(in: 0..<areas.count, using: &generator)] : local[Int.random(in: 0..<local.count, using: &generator)]
                let topicCount = Int.random(in: 0...3, using: &generator)
                subscriptions.append(Subscription(
                    id: "sub_\(index)", partner: "stadt-essen", name: "bench", areas: [area],
                    topics: (0..<topicCount).map { _ in topics[Int.random(in: 0..<topics.count, using: &generator)] },
                    minUrgency: Urgency.allCases[Int.random(in: 0..<4, using: &generator)], channel: .webhook,
                    target: "https://example.org/\(index)", language: .de, createdAt: now, updatedAt: now
                ))
            }
            let buildStart = ContinuousClock.now
            let index = SubscriptionIndex(reference: reference, subscriptions: subscriptions)
            let buildSeconds = elapsed(since: buildStart)
            let events = (0..<1000).map { _ in
                (topics[Int.random(in: 0..<topics.count, using: &generator)], Urgency.allCases[Int.random(in: 0..<4, using: &generator)],
                 [local[Int.random(in: 0..<local.count, using: &generator)]])
            }
            var perEvent: [Double] = []
            var matched = 0
            for round in 0..<30 {
                let start = ContinuousClock.now
                var found = 0
                for (topic, urgency, areas) in events { found += index.match(topic: topic, urgency: urgency, areas: areas).count }
                if round >= 5 { perEvent.append(elapsed(since: start) / Double(events.count)) }
                matched = found
            }
            let sample = Sample(values: perEvent)
            report("\(count) subscriptions: per event (median)", String(format: "%.2f µs  (p90 %.2f µs, %d matches/event, index built in %.0f ms)",
                sample.median * 1e6, sample.percentile(0.9) * 1e6, matched / events.count, buildSeconds * 1000))
        }
    }
}

/// Reproducible random numbers, so every run measures the same workload.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
