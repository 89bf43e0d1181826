import Foundation
import SikoDelivery
import SikoModel

/// Reading deliveries and putting failed ones back in the queue. A partner sees deliveries to its
/// own subscriptions and of events it published, the latter with targets masked (`Visibility`).
public struct DeliveryService: Sendable {
    let log: any DeliveryLog & ReceiptStore
    let subscriptions: any SubscriptionStore
    let events: any EventStore
    let wake: WakeSignal
    let clock: any WallClock

    public init(
        log: any DeliveryLog & ReceiptStore, subscriptions: any SubscriptionStore, events: any EventStore, wake: WakeSignal, clock: any WallClock
    ) {
        self.log = log
        self.subscriptions = subscriptions
        self.events = events
        self.wake = wake
        self.clock = clock
    }

    /// A delivery with its attempts and, for SMS, the gateway's reports.
    public struct Detail: Sendable {
        public var delivery: Delivery
        public var attempts: [Attempt]
        public var receipts: [Receipt]?
    }

    /// A page, newest first, limited to what the caller may see (`query.visibleTo` is set here).
    public func list(_ query: DeliveryQuery, by identity: Identity) async throws -> [Delivery] {
        try identity.require(.deliveriesRead)
        if let error = query.pageLimitError { throw ServiceError.invalid(ValidationFailure(errors: [error])) }
        var query = query
        query.visibleTo = identity.visibleTo
        return try await log.deliveries(matching: query).map { Visibility.delivery($0, for: identity) }
    }

    public func detail(id: String, by identity: Identity) async throws -> Detail {
        let delivery = try await visible(id: id, by: identity)
        let attempts = try await log.attempts(deliveryID: id).map { Visibility.attempt($0, of: delivery, for: identity) }
        let receipts = delivery.channel == .sms
            ? try await log.receipts(deliveryID: id).map { Visibility.receipt($0, of: delivery, for: identity) } : nil
        return Detail(delivery: Visibility.delivery(delivery, for: identity), attempts: attempts, receipts: receipts)
    }

    /// Puts one dead or failed delivery back in the queue, due now. Needs `deliveries:retry`, which
    /// every key with `deliveries:read` carries, but a viewer does not.
    public func retry(id: String, by identity: Identity) async throws -> Delivery {
        try identity.require(.deliveriesRetry)
        let delivery = try await visible(id: id, by: identity)
        guard delivery.status == .dead || delivery.status == .failed else {
            throw ServiceError.conflict(
                type: "not-retryable", title: "Not retryable",
                detail: "only dead or failed deliveries can be retried; this one is \(delivery.status.rawValue)"
            )
        }
        guard let subscription = try await subscriptions.subscription(id: delivery.subscriptionId), subscription.enabled else {
            throw ServiceError.conflict(
                type: "subscription-inactive", title: "Subscription inactive",
                detail: "the delivery's subscription is deleted or disabled, so nothing is sent for it; enable the subscription first"
            )
        }
        let now = clock.now()
        guard let updated = try await log.requeue(deliveryID: delivery.id, at: now, audit: identity.auditRecord(.deliveryRetry, object: delivery.id, at: now)) else {
            throw ServiceError.notFound("delivery \(delivery.id)")
        }
        guard updated.status == .pending else {
            throw ServiceError.conflict(
                type: "subscription-inactive", title: "Subscription inactive", detail: "the delivery's subscription was deleted or disabled meanwhile"
            )
        }
        wake.signal()
        return Visibility.delivery(updated, for: identity)
    }

    /// What a bulk retry takes: `dead` deliveries unless `status` says `failed`.
    public struct RetryFilter: Sendable {
        public var status: String?
        public var channel: String?
        public var event: String?
        public var subscription: String?
        public var limit: Int?

        public init(status: String? = nil, channel: String? = nil, event: String? = nil, subscription: String? = nil, limit: Int? = nil) {
            self.status = status
            self.channel = channel
            self.event = event
            self.subscription = subscription
            self.limit = limit
        }
    }

    /// Puts every matching dead (or failed) delivery the caller may see back in the queue, at most
    /// `limit` (1000 unless given, at most 10,000) per call; answers how many.
    public func retry(_ filter: RetryFilter, by identity: Identity) async throws -> Int {
        try identity.require(.deliveriesRead)
        try identity.require(.deliveriesRetry)
        var errors: [FieldError] = []
        var query = DeliveryQuery(
            status: .dead, eventId: filter.event, subscriptionId: filter.subscription, visibleTo: identity.visibleTo, limit: filter.limit ?? 1000
        )
        if let raw = filter.status {
            if raw == "dead" || raw == "failed" { query.status = DeliveryStatus(rawValue: raw) } else {
                errors.append(.init("status", "must be dead or failed", de: "muss dead oder failed sein"))
            }
        }
        if let raw = filter.channel {
            query.channel = ChannelKind(rawValue: raw)
            if query.channel == nil { errors.append(.init("channel", .channels)) }
        }
        if let limit = filter.limit, !DeliveryQuery.retryLimits.contains(limit) {
            errors.append(.init("limit", .wholeNumber(from: DeliveryQuery.retryLimits.lowerBound, to: DeliveryQuery.retryLimits.upperBound)))
        }
        guard errors.isEmpty else { throw ServiceError.invalid(ValidationFailure(errors: errors)) }
        let now = clock.now()
        let object = filter.event ?? filter.subscription ?? "all"
        let kind = "\(query.status?.rawValue ?? "dead")\(query.channel.map { " " + $0.rawValue } ?? "")"
        let count = try await log.requeue(matching: query, at: now) { count in
            identity.auditRecord(.deliveriesRetry, object: object, detail: "\(count) \(kind)", at: now)
        }
        if count > 0 { wake.signal() }
        return count
    }

    /// The subscription's owner, the event's publisher, or an admin may see a delivery.
    private func visible(id: String, by identity: Identity) async throws -> Delivery {
        try identity.require(.deliveriesRead)
        guard let delivery = try await log.delivery(id: id) else { throw ServiceError.notFound("delivery \(id)") }
        if identity.owns(delivery.partner) { return delivery }
        guard let event = try await events.event(id: delivery.eventId), identity.owns(event.publisher) else {
            throw ServiceError.notFound("delivery \(id)")
        }
        return delivery
    }
}
