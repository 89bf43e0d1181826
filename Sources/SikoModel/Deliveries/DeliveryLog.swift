import Foundation

/// Deliveries and their history as people read them, and the retries they ask for.
public protocol DeliveryLog: Sendable {
    func delivery(id: String) async throws -> Delivery?
    func attempts(deliveryID: String) async throws -> [Attempt]
    /// A page of deliveries, newest first (`query.limit` clamped to `DeliveryQuery.pageLimits`).
    func deliveries(matching query: DeliveryQuery) async throws -> [Delivery]
    func deliveryCounts(eventID: String) async throws -> [DeliveryStatus: Int]
    /// Deliveries planned at or after `date`, counted by channel and state; `visibleTo` as in
    /// `DeliveryQuery`.
    func deliveryTally(since date: Date, visibleTo partner: String?) async throws -> [DeliveryTally]
    /// All of one event's deliveries, oldest first.
    func deliveries(eventID: String) async throws -> [Delivery]
    /// Deliveries planned on `channel` at or after `date`, not suppressed and not of a test notification
    /// (to seed flood limits at start).
    func sends(channel: ChannelKind, since date: Date) async throws -> [(target: String, at: Date)]
    /// Puts a `dead` or `failed` delivery back to `pending`, due now, with `audit` in the same
    /// transaction. Nil when it does not exist; unchanged (and unaudited) when it is in another
    /// state or its subscription is deleted or disabled.
    func requeue(deliveryID: String, at: Date, audit: AuditRecord) async throws -> Delivery?
    /// Puts every `dead` or `failed` delivery matching `query` (at most `query.limit`, clamped to
    /// `DeliveryQuery.retryLimits`) whose subscription is still active back to `pending`, due now;
    /// answers how many, and writes `audit(count)` with them when any were.
    func requeue(matching query: DeliveryQuery, at: Date, audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int
}

/// How many deliveries of one channel are in one state.
public struct DeliveryTally: Sendable, Equatable {
    public var channel: ChannelKind
    public var status: DeliveryStatus
    public var count: Int

    public init(channel: ChannelKind, status: DeliveryStatus, count: Int) {
        self.channel = channel
        self.status = status
        self.count = count
    }
}

/// Reports of the SMS gateway on record.
public protocol ReceiptStore: Sendable {
    /// Keeps a gateway's report (once per delivery and kind) and moves the delivery forward where
    /// the report says so (`SMSReceipt.transition`). Nil when the delivery does not exist.
    func recordReceipt(_ receipt: Receipt) async throws -> Delivery?
    func receipts(deliveryID: String) async throws -> [Receipt]
}

/// A filter for listing deliveries; `visibleTo` limits to what one partner may see.
public struct DeliveryQuery: Sendable {
    /// A page of a listing.
    public static let pageLimits = 1...1000
    /// One bulk retry.
    public static let retryLimits = 1...10_000

    public var status: DeliveryStatus?
    public var channel: ChannelKind?
    public var eventId: String?
    public var subscriptionId: String?
    /// Deliveries to this partner's subscriptions or of events it published.
    public var visibleTo: String?
    public var limit: Int
    /// The id of the last delivery on the previous page.
    public var after: String?

    public init(
        status: DeliveryStatus? = nil, channel: ChannelKind? = nil, eventId: String? = nil, subscriptionId: String? = nil,
        visibleTo: String? = nil, limit: Int = 100, after: String? = nil
    ) {
        self.status = status
        self.channel = channel
        self.eventId = eventId
        self.subscriptionId = subscriptionId
        self.visibleTo = visibleTo
        self.limit = limit
        self.after = after
    }

    /// What is wrong with `limit` as a page's size, if anything.
    public var pageLimitError: FieldError? {
        Self.pageLimits.contains(limit) ? nil : FieldError("limit", .wholeNumber(from: Self.pageLimits.lowerBound, to: Self.pageLimits.upperBound))
    }

    public var pageLimit: Int { min(max(limit, Self.pageLimits.lowerBound), Self.pageLimits.upperBound) }
    public var retryLimit: Int { min(max(limit, Self.retryLimits.lowerBound), Self.retryLimits.upperBound) }
}
