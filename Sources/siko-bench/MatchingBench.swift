import CHeapStats
import Foundation
import SikoConfig
import SikoModel
import SikoTestSupport

/// One event against many subscriptions: the in-memory index alone, then with the policies of
/// `Rules/policies.yaml` applied to every match. No I/O.
struct MatchingBench {
    let rules: String

    func run() throws {
        let ruleSet = try RulesLoader(directory: rules).load()
        let reference = ruleSet.reference
        print("matching (one event against N subscriptions, spread over all areas and topics)")
        let areas = reference.areas.areas.map(\.id)
        let local = reference.areas.areas.filter { $0.kind == .gemeinde || $0.kind == .kreisfreieStadt }.map(\.id)
        let topics = reference.topics.map(\.id)
        for count in [10_000, 100_000, 1_000_000] {
            var generator = SeededGenerator(seed: 42)
            let heapBefore = Self.heapInUse()
            let buildStart = ContinuousClock.now
            // Built in a closure so only what the index keeps is still on the heap afterwards.
            let index = {
                var subscriptions: [Subscription] = []
                subscriptions.reserveCapacity(count)
                let now = Date()
                for number in 0..<count {
                    // Most partners watch their own city or Kreis; some a larger area; a third take every topic.
                    let area = number % 20 == 0 ? areas[Int.random(in: 0..<areas.count, using: &generator)] : local[Int.random(in: 0..<local.count, using: &generator)]
                    let topicCount = Int.random(in: 0...3, using: &generator)
                    subscriptions.append(Subscription(
                        id: Identifier.make("sub", at: now, using: &generator), partner: "stadt-essen", name: "Lagedienst \(number)", areas: [area],
                        topics: (0..<topicCount).map { _ in topics[Int.random(in: 0..<topics.count, using: &generator)] },
                        minUrgency: Urgency.allCases[Int.random(in: 0..<4, using: &generator)], channel: number % 3 == 0 ? .sms : .webhook,
                        target: number % 3 == 0 ? "+49170\(1_000_000 + number)" : "https://lage-\(number).example.org/hooks/siko",
                        language: .de, createdAt: now, updatedAt: now
                    ))
                }
                return SubscriptionIndex(reference: reference, subscriptions: subscriptions)
            }()
            let buildSeconds = elapsed(since: buildStart)
            let heapBytes = Self.heapInUse() - heapBefore
            let events = (0..<1000).map { number in
                Event(
                    id: "evt_\(number)", externalId: nil, publisher: "stadt-essen", topic: topics[Int.random(in: 0..<topics.count, using: &generator)],
                    urgency: Urgency.allCases[Int.random(in: 0..<4, using: &generator)], areas: [local[Int.random(in: 0..<local.count, using: &generator)]],
                    title: "Lage \(number)", body: nil, classification: .public, publishedAt: Date(), expiresAt: nil, data: nil
                )
            }
            let rounds = count >= 1_000_000 ? 8 : 30
            var matched = 0
            let matching = measure(rounds: rounds, events: events.count) {
                matched = events.reduce(0) { $0 + index.match($1).count }
            }
            report("\(count) subscriptions: match per event", String(format: "%.2f µs median  (p90 %.2f µs, %d matches/event)",
                matching.median * 1e6, matching.percentile(0.9) * 1e6, matched / events.count))
            report("  index memory", String(format: "%.1f MiB heap (%.0f bytes per subscription), built in %.0f ms",
                Double(heapBytes) / 1_048_576, Double(heapBytes) / Double(count), buildSeconds * 1000))

            // The same events through the shipped policies, at night (quiet hours apply), each with its own memory.
            let engine = PolicyEngine(policies: ruleSet.policies)
            let night = utcDate("2026-11-25T22:30:00Z")
            let policed = measure(rounds: rounds, events: events.count) {
                var memory = PolicyMemory()
                for event in events {
                    var event = event
                    event.publishedAt = night
                    _ = engine.decide(event, for: index.match(event), now: night, memory: &memory)
                }
            }
            report("  match + shipped policies per event", String(format: "%.2f µs median  (%.2f× matching alone)",
                policed.median * 1e6, policed.median / matching.median))
        }
    }

    /// Seconds per event for `body`, which handles `events` events; the first rounds warm up.
    private func measure(rounds: Int, events: Int, _ body: () -> Void) -> Sample {
        var perEvent: [Double] = []
        for round in 0..<rounds {
            let start = ContinuousClock.now
            body()
            if round >= max(1, rounds / 6) { perEvent.append(elapsed(since: start) / Double(events)) }
        }
        return Sample(values: perEvent)
    }

    /// Bytes the allocator has handed out and not taken back.
    static func heapInUse() -> Int { Int(siko_heap_in_use()) }
}

func utcDate(_ text: String) -> Date { JSONCoding.parse(text)! }
