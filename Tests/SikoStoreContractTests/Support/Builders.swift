import Foundation
import SikoModel
import Testing

/// The fixed moment every contract test starts at: the store takes explicit dates, so no test sleeps.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

extension Date {
    func plus(_ seconds: Double) -> Date { addingTimeInterval(seconds) }
}

let day: Double = 86_400

func subscription(
    _ id: String, partner: String = "stadt-essen", channel: ChannelKind = .webhook, target: String? = nil,
    format: PayloadFormat = .json, enabled: Bool = true, at date: Date = t0
) -> Subscription {
    Subscription(
        id: id, partner: partner, name: "Lage \(id)", areas: ["essen"], topics: [], minUrgency: .low, channel: channel,
        target: target ?? (channel == .sms ? "+4917012345678" : "https://\(id).example/hook"), language: .de, format: format,
        enabled: enabled, createdAt: date, updatedAt: date
    )
}

func record(_ action: AuditAction, _ object: String, partner: String = "stadt-essen", detail: String? = nil, at date: Date = t0) -> AuditRecord {
    AuditRecord(at: date, partner: partner, actor: "siko_contract", action: action, object: object, detail: detail)
}

/// One planned delivery: to which subscription and target, on which channel, due when, in which state.
struct Planned {
    var subscription: String
    var partner: String
    var target: String
    var channel: ChannelKind = .webhook
    var due: Date? = nil
    var status: DeliveryStatus = .pending

    static func to(_ subscription: Subscription, due: Date? = nil, status: DeliveryStatus = .pending) -> Planned {
        Planned(subscription: subscription.id, partner: subscription.partner, target: subscription.target, channel: subscription.channel, due: due, status: status)
    }
}

/// An event as published, with its deliveries' ids in the order planned.
struct Published {
    var eventId: String
    var deliveryIds: [String]
    var result: PublishResult
}

func publishRequest(
    _ planned: [Planned], externalId: String? = nil, key: String? = nil, publisher: String = "stadt-essen", at date: Date = t0,
    title: String = "Kontrolle am Hauptbahnhof"
) -> PublishRequest {
    let event = Event(
        id: Identifier.make("evt", at: date), externalId: externalId, publisher: publisher, topic: "razzia", urgency: .high,
        areas: ["essen"], title: title, body: "Zeuge Max Mustermann", classification: .public, publishedAt: date, expiresAt: nil,
        data: .object(["n": .integer(1)])
    )
    let deliveries = planned.map { plan in
        Delivery(
            id: Identifier.make("dlv", at: date), eventId: event.id, subscriptionId: plan.subscription, partner: plan.partner,
            channel: plan.channel, target: plan.target, status: plan.status,
            nextAttemptAt: plan.status == .pending || plan.status == .failed ? (plan.due ?? date) : nil, createdAt: date, updatedAt: date
        )
    }
    return PublishRequest(event: event, idempotencyKey: key, deliveries: deliveries, audit: record(.eventPublish, event.id, partner: publisher, at: date))
}

extension Store {
    /// Inserts subscriptions as a test's setup, with no cap.
    func add(_ subscriptions: Subscription...) async throws {
        for subscription in subscriptions {
            let inserted = try await insertSubscription(
                subscription, secret: nil, maxPerPartner: .max, audit: record(.subscriptionCreate, subscription.id)
            )
            #expect(inserted)
        }
    }

    @discardableResult
    func publish(
        _ planned: [Planned], externalId: String? = nil, key: String? = nil, publisher: String = "stadt-essen", at date: Date = t0
    ) async throws -> Published {
        let request = publishRequest(planned, externalId: externalId, key: key, publisher: publisher, at: date)
        let result = try await publish(request)
        return Published(eventId: result.eventId, deliveryIds: request.deliveries.map(\.id), result: result)
    }

    func claim(
        _ channel: ChannelKind = .webhook, limit: Int = 100, perTarget: Int = .max, excluding: [String] = [], freeSlots: [String: Int] = [:],
        owner: String = "worker-a", at now: Date = t0, leaseFor seconds: Double = 60
    ) async throws -> [DeliveryJob] {
        try await claim(ClaimRequest(
            channel: channel, limit: limit, perTarget: perTarget, excludingTargets: excluding, freeSlots: freeSlots, owner: owner, now: now,
            leaseUntil: now.plus(seconds)
        ))
    }

    /// Records one attempt of a claimed delivery with `outcome`, as the dispatcher would.
    func finish(
        _ job: DeliveryJob, _ outcome: DeliveryOutcome, owner: String = "worker-a", at date: Date = t0, code: Int? = nil,
        audit: AuditRecord? = nil
    ) async throws {
        let transition = DeliveryTransition.after(outcome, attempt: job.delivery.attempts, schedule: .standard, now: date)
        let attempt = Attempt(
            deliveryId: job.delivery.id, number: job.delivery.attempts, startedAt: date, finishedAt: date, status: transition.status,
            responseCode: code, error: transition.lastError
        )
        try await complete([AttemptResult(owner: owner, subscriptionId: job.delivery.subscriptionId, attempt: attempt, transition: transition, audit: audit)])
    }

    /// Claims every due delivery of `channel` at `date` and records `outcome` for each.
    func sendAll(_ outcome: DeliveryOutcome, on channel: ChannelKind = .webhook, at date: Date = t0) async throws -> [DeliveryJob] {
        let jobs = try await claim(channel, at: date)
        for job in jobs { try await finish(job, outcome, at: date) }
        return jobs
    }

    func status(_ id: String) async throws -> DeliveryStatus? { try await delivery(id: id)?.status }

    /// The whole trail, oldest first.
    func trail() async throws -> [AuditEntry] { try await auditEntries(after: 0, limit: 100_000, partner: nil) }
}

extension PurgeCounts {
    /// Events, deliveries and subscriptions, without the engine's note on its log.
    var figures: [Int] { [events, deliveries, subscriptions] }
}
