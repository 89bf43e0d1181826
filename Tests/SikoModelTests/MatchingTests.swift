import SikoTestSupport
import Foundation
import SikoModel
import Testing

@Suite("Matching: hierarchy, topics, urgency")
struct MatchingTests {
    let reference = Repository.reference

    func ids(_ index: SubscriptionIndex, topic: String = "razzia", urgency: Urgency = .high, areas: [String]) -> Set<String> {
        Set(index.match(topic: topic, urgency: urgency, areas: areas).map(\.subscription.id))
    }

    @Test("a subscription to a Kreis hears of events in its Gemeinden")
    func kreisCoversGemeinde() {
        let index = SubscriptionIndex(reference: reference, subscriptions: [subscription(id: "kreis", areas: ["kreis-recklinghausen"])])
        #expect(ids(index, areas: ["marl"]) == ["kreis"])
        #expect(ids(index, areas: ["kreis-recklinghausen"]) == ["kreis"])
        #expect(ids(index, areas: ["moers"]).isEmpty, "Moers lies in Kreis Wesel")
    }

    @Test("an event for a larger area reaches subscriptions inside it")
    func largerAreaReachesInside() {
        let index = SubscriptionIndex(reference: reference, subscriptions: [
            subscription(id: "marl", areas: ["marl"]),
            subscription(id: "essen", areas: ["essen"]),
            subscription(id: "wesel", areas: ["kreis-wesel"]),
        ])
        #expect(ids(index, areas: ["ruhr"]) == ["marl", "essen", "wesel"])
        #expect(ids(index, areas: ["rb-muenster"]) == ["marl"])
        #expect(ids(index, areas: ["kreis-recklinghausen"]) == ["marl"])
    }

    @Test("siblings and cousins do not hear of each other")
    func siblingsDoNotMatch() {
        let index = SubscriptionIndex(reference: reference, subscriptions: [subscription(id: "herten", areas: ["herten"])])
        #expect(ids(index, areas: ["marl"]).isEmpty)
        #expect(ids(index, areas: ["dortmund"]).isEmpty)
    }

    @Test("a region subscription hears of everything in the region")
    func regionHearsAll() {
        let index = SubscriptionIndex(reference: reference, subscriptions: [subscription(id: "all", areas: ["ruhr"])])
        for area in reference.areas.areas.map(\.id) {
            #expect(ids(index, areas: [area]) == ["all"], "event in \(area)")
        }
    }

    @Test("no topics means every topic; named topics filter")
    func topics() {
        let index = SubscriptionIndex(reference: reference, subscriptions: [
            subscription(id: "any", areas: ["essen"]),
            subscription(id: "money", areas: ["essen"], topics: ["geldwaesche"]),
            subscription(id: "raids", areas: ["essen"], topics: ["razzia", "drogen"]),
        ])
        #expect(ids(index, topic: "razzia", areas: ["essen"]) == ["any", "raids"])
        #expect(ids(index, topic: "geldwaesche", areas: ["essen"]) == ["any", "money"])
        #expect(ids(index, topic: "waffen", areas: ["essen"]) == ["any"])
    }

    @Test("the event's urgency must reach the subscription's minimum", arguments: Urgency.allCases)
    func urgency(_ eventUrgency: Urgency) {
        let subscriptions = Urgency.allCases.map { subscription(id: $0.rawValue, areas: ["essen"], minUrgency: $0) }
        let index = SubscriptionIndex(reference: reference, subscriptions: subscriptions)
        let expected = Set(Urgency.allCases.filter { $0 <= eventUrgency }.map(\.rawValue))
        #expect(ids(index, urgency: eventUrgency, areas: ["essen"]) == expected)
    }

    @Test("a subscription matched through several areas is delivered once")
    func noDuplicates() {
        let index = SubscriptionIndex(reference: reference, subscriptions: [
            subscription(id: "multi", areas: ["essen", "rb-duesseldorf", "ruhr"], topics: ["razzia", "drogen"]),
        ])
        let matches = index.match(topic: "razzia", urgency: .high, areas: ["essen", "duisburg", "ruhr"])
        #expect(matches.map(\.subscription.id) == ["multi"])
    }

    @Test("updates, removals and disabling take effect at once")
    func keptInStep() {
        var index = SubscriptionIndex(reference: reference, subscriptions: [subscription(id: "a", areas: ["essen"])])
        index.upsert(subscription(id: "a", areas: ["bochum"]))
        #expect(ids(index, areas: ["essen"]).isEmpty)
        #expect(ids(index, areas: ["bochum"]) == ["a"])
        index.upsert(subscription(id: "b", areas: ["bochum"]))
        index.remove(id: "a")
        #expect(ids(index, areas: ["bochum"]) == ["b"])
        index.upsert(subscription(id: "b", areas: ["bochum"], enabled: false))
        #expect(ids(index, areas: ["bochum"]).isEmpty)
        #expect(index.count == 0)
        index.upsert(subscription(id: "c", areas: ["bochum"]))
        #expect(ids(index, areas: ["bochum"]) == ["c"], "a freed slot is reused cleanly")
    }

    @Test("AGS codes resolve to areas")
    func ags() {
        #expect(reference.areas.resolve("05113000") == "essen")
        #expect(reference.areas.resolve("05562") == "kreis-recklinghausen")
        #expect(reference.areas.resolve("essen") == "essen")
        #expect(reference.areas.resolve("99999999") == nil)
    }

    @Test("jurisdiction: a city publishes into itself, a Kreis into its Gemeinden, the HSPV nowhere")
    func jurisdiction() {
        #expect(reference.mayPublish(partner: "stadt-essen", into: "essen"))
        #expect(!reference.mayPublish(partner: "stadt-essen", into: "ruhr"))
        #expect(!reference.mayPublish(partner: "stadt-essen", into: "bochum"))
        #expect(reference.mayPublish(partner: "kreis-wesel", into: "moers"))
        #expect(!reference.mayPublish(partner: "kreis-wesel", into: "marl"))
        #expect(reference.mayPublish(partner: "bundespolizei", into: "ruhr"))
        #expect(!reference.mayPublish(partner: "hspv-nrw", into: "essen"))
        #expect(!reference.mayPublish(partner: "unknown", into: "essen"))
    }
}
