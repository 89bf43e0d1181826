import Foundation
import PropertyBased
import SikoModel
import SikoTestSupport
import Testing

/// The index against the contract's definition, written out the slow way, on random geographies,
/// subscriptions (added, changed, disabled, removed) and events. Each case is built from one seed
/// the library draws, so a failure names the seed that reproduces it.
@Suite("Matching: index equals brute force (property-based)")
struct MatchingPropertyTests {
    /// Dice on a seeded generator: every case is fully determined by its seed.
    struct Dice: RandomNumberGenerator {
        var generator: SeededGenerator
        init(state: UInt64) { generator = SeededGenerator(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
        mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }
        mutating func some<T: Hashable>(_ values: [T], _ count: ClosedRange<Int>) -> [T] {
            var chosen: [T] = []
            for _ in 0..<int(count) { let value = pick(values); if !chosen.contains(value) { chosen.append(value) } }
            return chosen
        }
    }

    struct Scenario {
        var reference: ReferenceData
        var parent: [String: String]
        var subscriptions: [String: Subscription]
        var index: SubscriptionIndex
        var events: [Event]
    }

    static func scenario(seed: UInt64) -> Scenario {
        var dice = Dice(state: seed)
        // A random tree: each area hangs below an earlier one, so depth and breadth vary.
        var areas = [Area(id: "a0", name: "a0", kind: .region)]
        var parent: [String: String] = [:]
        for number in 1..<dice.int(2...40) {
            let up = areas[dice.int(0...areas.count - 1)].id
            areas.append(Area(id: "a\(number)", name: "a\(number)", kind: .gemeinde, parent: up))
            parent["a\(number)"] = up
        }
        let topics = (0..<dice.int(1...6)).map { Topic(id: "t\($0)", name: "t\($0)") }
        let reference = ReferenceData(areas: try! AreaTree(areas), topics: topics, partners: [])
        let areaIDs = areas.map(\.id), topicIDs = topics.map(\.id)

        var index = SubscriptionIndex(reference: reference)
        var live: [String: Subscription] = [:]
        func random(_ id: String) -> Subscription {
            Subscription(
                id: id, partner: "p", name: id, areas: dice.some(areaIDs, 1...3),
                topics: dice.chance(30) ? [] : dice.some(topicIDs, 1...3), minUrgency: dice.pick(Urgency.allCases),
                channel: .webhook, target: "https://example.org", language: .de, enabled: !dice.chance(10),
                createdAt: Date(), updatedAt: Date()
            )
        }
        for number in 0..<dice.int(0...80) {
            let subscription = random("s\(number)")
            index.upsert(subscription)
            live[subscription.id] = subscription
            // Changes, removals and slot reuse must keep the index exact.
            if dice.chance(15), let victim = live.keys.sorted().randomElement(using: &dice) {
                index.remove(id: victim)
                live[victim] = nil
            }
            if dice.chance(15), let changed = live.keys.sorted().randomElement(using: &dice) {
                let replacement = random(changed)
                index.upsert(replacement)
                live[changed] = replacement
            }
        }
        let events = (0..<20).map { number in
            Event(
                id: "e\(number)", externalId: nil, publisher: "p", topic: dice.chance(5) ? "unknown" : dice.pick(topicIDs),
                urgency: dice.pick(Urgency.allCases), areas: dice.some(areaIDs, 1...3), title: "t", body: nil,
                classification: .public, publishedAt: Date(), expiresAt: nil, data: nil
            )
        }
        return Scenario(reference: reference, parent: parent, subscriptions: live, index: index, events: events)
    }

    /// The contract, literally: S is A or an ancestor of A, or A is an ancestor of S; no topics takes
    /// every topic; the event's urgency is at least the subscription's; disabled ones hear nothing.
    static func bruteForce(_ event: Event, _ subscriptions: [String: Subscription], parent: [String: String]) -> Set<String> {
        func isWithin(_ inner: String, _ outer: String) -> Bool {
            var cursor: String? = inner
            while let area = cursor {
                if area == outer { return true }
                cursor = parent[area]
            }
            return false
        }
        return Set(subscriptions.values.filter { subscription in
            subscription.enabled
                && subscription.areas.contains { s in event.areas.contains { a in isWithin(a, s) || isWithin(s, a) } }
                && (subscription.topics.isEmpty || subscription.topics.contains(event.topic))
                && event.urgency >= subscription.minUrgency
        }.map(\.id))
    }

    @Test("the index answers exactly what the definition says, each subscription once")
    func indexMatchesBruteForce() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            let scenario = Self.scenario(seed: seed)
            for event in scenario.events {
                let found = scenario.index.match(event).map(\.subscription.id)
                let expected = Self.bruteForce(event, scenario.subscriptions, parent: scenario.parent)
                #expect(Set(found) == expected, "seed \(seed), event \(event.areas) \(event.topic) \(event.urgency)")
                #expect(found.count == Set(found).count, "no subscription twice")
            }
        }
    }

    @Test("explain considers every match and explains each subscription as the definition does")
    func explanationAgrees() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            let scenario = Self.scenario(seed: seed)
            for event in scenario.events {
                let expected = Self.bruteForce(event, scenario.subscriptions, parent: scenario.parent)
                let candidates = Set(scenario.index.candidates(areas: event.areas).map(\.subscription.id))
                #expect(expected.isSubset(of: candidates), "seed \(seed)")
                for subscription in scenario.subscriptions.values where subscription.enabled {
                    let explained = MatchExplanation(subscription: subscription, event: event, areas: scenario.reference.areas)
                    #expect(explained.matches == expected.contains(subscription.id), "seed \(seed), \(subscription.id)")
                }
            }
        }
    }
}
