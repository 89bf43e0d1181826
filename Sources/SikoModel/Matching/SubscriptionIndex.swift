/// Which subscriptions hear of an event, answered from memory.
///
/// Subscriptions sit in buckets by (area, topic); a subscription with no topics sits in the area's
/// "every topic" bucket. An event in area A looks into A, every ancestor of A (a subscription to
/// `kreis-recklinghausen` hears of `marl`) and every descendant of A (an event for `ruhr` reaches
/// everyone), in the event's topic bucket and the "every topic" bucket. Each bucket entry packs the
/// subscription's slot with its least urgency, so the urgency test needs no second lookup.
/// Matches are handed out as shared references, so a match costs a retain, not a copy.
public struct SubscriptionIndex: Sendable {
    /// A subscription as the index holds it.
    public final class Entry: Sendable {
        public let subscription: Subscription
        public init(_ subscription: Subscription) { self.subscription = subscription }
    }

    public let reference: ReferenceData
    private var buckets: [[[UInt32]]]
    private var entries: [Entry?] = []
    private var placements: [[(area: Int, topic: Int)]] = []
    private var slotByID: [String: Int] = [:]
    private var freeSlots: [Int] = []

    public init(reference: ReferenceData, subscriptions: some Sequence<Subscription> = []) {
        self.reference = reference
        let topicBuckets = reference.topics.count + 1
        self.buckets = Array(repeating: Array(repeating: [], count: topicBuckets), count: reference.areas.count)
        for subscription in subscriptions { upsert(subscription) }
    }

    /// The live (enabled, not deleted) subscription with this id, if it is in the index.
    public func subscription(id: String) -> Subscription? { slotByID[id].flatMap { entries[$0]?.subscription } }

    /// How many subscriptions can currently match.
    public var count: Int { slotByID.count }

    /// Adds a subscription or replaces the one with the same id; a disabled one is taken out.
    public mutating func upsert(_ subscription: Subscription) {
        remove(id: subscription.id)
        guard subscription.enabled else { return }
        let areaIndices = subscription.areas.compactMap(reference.areas.index(of:))
        let anyTopic = reference.topics.count
        let topicIndices = subscription.topics.isEmpty
            ? [anyTopic] : subscription.topics.compactMap(reference.topicNumber)
        guard !areaIndices.isEmpty, !topicIndices.isEmpty else { return }

        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            entries[slot] = Entry(subscription)
        } else {
            slot = entries.count
            entries.append(Entry(subscription))
            placements.append([])
        }
        let packed = UInt32(slot) << 2 | UInt32(subscription.minUrgency.rank)
        var placed: [(area: Int, topic: Int)] = []
        for area in areaIndices {
            for topic in topicIndices {
                buckets[area][topic].append(packed)
                placed.append((area, topic))
            }
        }
        placements[slot] = placed
        slotByID[subscription.id] = slot
    }

    public mutating func remove(id: String) {
        guard let slot = slotByID.removeValue(forKey: id) else { return }
        for (area, topic) in placements[slot] {
            if let position = buckets[area][topic].firstIndex(where: { $0 >> 2 == UInt32(slot) }) {
                buckets[area][topic].swapAt(position, buckets[area][topic].count - 1)
                buckets[area][topic].removeLast()
            }
        }
        placements[slot] = []
        entries[slot] = nil
        freeSlots.append(slot)
    }

    /// Every subscription that hears of an event with this topic, urgency and areas, each once.
    public func match(topic: String, urgency: Urgency, areas: [String]) -> [Entry] {
        var result: [Entry] = []
        forEachMatch(topic: topic, urgency: urgency, areas: areas) { result.append($0) }
        return result
    }

    public func match(_ event: Event) -> [Entry] {
        match(topic: event.topic, urgency: event.urgency, areas: event.areas)
    }

    /// Every subscription with an area related to one of `areas`, whatever its topics and urgency:
    /// the ones `explain` considers.
    public func candidates(areas: [String]) -> [Entry] {
        var result: [Entry] = []
        var seen = Set<Int>()
        for areaID in areas {
            guard let area = reference.areas.index(of: areaID) else { continue }
            for related in reference.areas.related[area] {
                for bucket in buckets[related] {
                    for packed in bucket where seen.insert(Int(packed >> 2)).inserted {
                        if let entry = entries[Int(packed >> 2)] { result.append(entry) }
                    }
                }
            }
        }
        return result
    }

    /// Every subscription the index holds, in no particular order.
    public var subscriptions: [Subscription] { entries.compactMap { $0?.subscription } }

    func forEachMatch(topic: String, urgency: Urgency, areas: [String], _ body: (Entry) -> Void) {
        let topicBuckets = [reference.topicNumber(topic), reference.topics.count].compactMap { $0 }
        let rank = UInt32(urgency.rank)
        var seen = [UInt64](repeating: 0, count: (entries.count + 63) / 64)
        for areaID in areas {
            guard let area = reference.areas.index(of: areaID) else { continue }
            for related in reference.areas.related[area] {
                for topic in topicBuckets {
                    for packed in buckets[related][topic] where packed & 3 <= rank {
                        let slot = Int(packed >> 2)
                        let (word, bit) = slot.quotientAndRemainder(dividingBy: 64)
                        guard seen[word] & (1 << bit) == 0 else { continue }
                        seen[word] |= 1 << bit
                        if let entry = entries[slot] { body(entry) }
                    }
                }
            }
        }
    }
}
