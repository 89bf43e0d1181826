import Foundation
import SikoModel
import Testing

@Suite("Store contract: publishing and idempotency")
struct PublishContractTests {
    @Test("an event is stored with all its deliveries and its audit entry", arguments: StoreEngine.allCases)
    func stored(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook"), sms = subscription("sub_sms", channel: .sms)
            try await store.add(hook, sms)
            let request = publishRequest([.to(hook), .to(sms)], externalId: "x-1")
            let result = try await store.publish(request)
            #expect(result == PublishResult(eventId: request.event.id, deliveries: 2, duplicate: false))
            #expect(try await store.event(id: request.event.id) == request.event)
            #expect(try await store.deliveries(eventID: request.event.id).map(\.id) == request.deliveries.map(\.id).sorted())
            #expect(try await store.trail().last?.record == request.audit)
            #expect(try await store.events(publishedSince: t0).map(\.id) == [request.event.id])
            #expect(try await store.events(publishedSince: t0.plus(1)).isEmpty)
        }
    }

    @Test("the same external id or idempotency key from the same publisher is a duplicate of the first event, unaudited; another publisher's is new",
          arguments: StoreEngine.allCases)
    func idempotent(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let byExternal = try await store.publish([.to(hook), .to(hook)], externalId: "x-1")
            let byKey = try await store.publish([.to(hook)], key: "k-1")
            let before = try await store.trail().count

            let again = publishRequest([.to(hook), .to(hook), .to(hook)], externalId: "x-1", at: t0.plus(5))
            #expect(try await store.publish(again) == PublishResult(eventId: byExternal.eventId, deliveries: 2, duplicate: true))
            #expect(try await store.event(id: again.event.id) == nil, "nothing of the repeat is stored")
            #expect(try await store.delivery(id: again.deliveries[0].id) == nil)
            let keyAgain = publishRequest([.to(hook), .to(hook)], key: "k-1", at: t0.plus(6))
            #expect(try await store.publish(keyAgain) == PublishResult(eventId: byKey.eventId, deliveries: 1, duplicate: true))
            #expect(try await store.trail().count == before, "a repeat changes nothing and is not audited")

            let bochum = try await store.publish([.to(hook)], externalId: "x-1", key: "k-1", publisher: "stadt-bochum")
            #expect(!bochum.result.duplicate && bochum.eventId != byExternal.eventId)
            #expect(try await store.trail().count == before + 1)
            #expect(try await store.deliveries(eventID: byExternal.eventId).count == 2)
        }
    }

    @Test("many copies published at once store one event", arguments: StoreEngine.allCases)
    func concurrentCopies(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let hook = subscription("sub_hook")
            try await store.add(hook)
            let before = try await store.trail().count
            let results = try await withThrowingTaskGroup(of: PublishResult.self) { group in
                for _ in 0..<30 { group.addTask { try await store.publish([.to(hook)], externalId: "same").result } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.eventId)).count == 1)
            #expect(results.filter { !$0.duplicate }.count == 1)
            #expect(try await store.deliveries(matching: DeliveryQuery(limit: 1000)).count == 1)
            #expect(try await store.trail().count == before + 1)
        }
    }

    @Test("deliveries page newest first, filter by state, channel and what a partner may see", arguments: StoreEngine.allCases)
    func listing(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let essen = subscription("sub_essen"), bochum = subscription("sub_bochum", partner: "stadt-bochum", channel: .sms)
            try await store.add(essen, bochum)
            for index in 0..<3 { try await store.publish([.to(essen)], at: t0.plus(Double(index))) }
            let foreign = try await store.publish([.to(bochum)], publisher: "stadt-dortmund", at: t0.plus(3))
            let first = try await store.deliveries(matching: DeliveryQuery(limit: 2))
            let second = try await store.deliveries(matching: DeliveryQuery(limit: 2, after: first.last?.id))
            let all = first + second
            #expect(all.count == 4 && Set(all.map(\.id)).count == 4)
            #expect(all.map(\.createdAt) == [3, 2, 1, 0].map { t0.plus($0) })
            #expect(try await store.deliveries(matching: DeliveryQuery(channel: .sms)).map(\.id) == foreign.deliveryIds)
            #expect(try await store.deliveries(matching: DeliveryQuery(eventId: foreign.eventId)).map(\.id) == foreign.deliveryIds)
            // Not publisher and not owner: stadt-essen sees its three, stadt-dortmund its event's one.
            #expect(try await store.deliveries(matching: DeliveryQuery(visibleTo: "stadt-essen")).count == 3)
            #expect(try await store.deliveries(matching: DeliveryQuery(visibleTo: "stadt-dortmund")).map(\.id) == foreign.deliveryIds)
            #expect(try await store.deliveries(matching: DeliveryQuery(visibleTo: "stadt-bochum")).map(\.id) == foreign.deliveryIds)
            #expect(try await store.deliveries(matching: DeliveryQuery(status: .dead)).isEmpty)
        }
    }
}
