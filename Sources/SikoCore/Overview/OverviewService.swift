import Foundation
import SikoModel

/// What the console's first page shows a partner at a glance: recent events, the last day's
/// deliveries by state and channel, dead letters and the receiving hosts held back.
public struct OverviewService: Sendable {
    let events: any EventStore
    let deliveries: any DeliveryLog
    let subscriptions: any SubscriptionStore
    let breakers: @Sendable () -> [OpenBreaker]
    let clock: any WallClock

    public init(
        events: any EventStore, deliveries: any DeliveryLog, subscriptions: any SubscriptionStore,
        breakers: @escaping @Sendable () -> [OpenBreaker], clock: any WallClock
    ) {
        self.events = events
        self.deliveries = deliveries
        self.subscriptions = subscriptions
        self.breakers = breakers
        self.clock = clock
    }

    public struct Overview: Sendable {
        public var recentEvents: [Event]
        /// Deliveries planned in the last 24 hours.
        public var lastDay: [DeliveryTally]
        /// The newest given-up deliveries, at most `deadLetterLimit`.
        public var deadLetters: [Delivery]
        /// Breakers on hosts of the caller's own targets (all of them for an admin).
        public var openBreakers: [OpenBreaker]
    }

    public static let deadLetterLimit = 20

    public func overview(by identity: Identity) async throws -> Overview {
        try identity.require(.deliveriesRead)
        let now = clock.now()
        let recent = try await events.recentEvents(visibleTo: identity.visibleTo, before: nil, limit: 10)
        let lastDay = try await deliveries.deliveryTally(since: now.addingTimeInterval(-24 * 3600), visibleTo: identity.visibleTo)
        let dead = try await deliveries.deliveries(
            matching: DeliveryQuery(status: .dead, visibleTo: identity.visibleTo, limit: Self.deadLetterLimit)
        ).map { Visibility.delivery($0, for: identity) }
        var open = breakers()
        if let partner = identity.visibleTo {
            let own = Set(try await subscriptions.subscriptions(partner: partner).map(\.target))
            open = open.filter { !own.isDisjoint(with: $0.targets) }
        }
        return Overview(recentEvents: recent, lastDay: lastDay, deadLetters: dead, openBreakers: open.map { breaker in
            var breaker = breaker
            if !identity.isAdmin { breaker.targets = [] }
            return breaker
        })
    }
}
