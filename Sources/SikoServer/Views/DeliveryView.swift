import Foundation
import SikoModel

/// A delivery as the API shows it. Targets and errors of other partners' subscriptions are masked:
/// a publisher learns that its event reached a partner, not where.
struct DeliveryView: Encodable {
    static let masked = "***"

    var id: String
    var eventId: String
    var subscriptionId: String
    var partner: String
    var channel: ChannelKind
    var target: String
    var status: DeliveryStatus
    var attempts: Int
    var lastError: String?
    var nextAttemptAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var history: [AttemptView]?

    init(_ delivery: Delivery, for identity: Identity, history: [Attempt]? = nil) {
        let visible = identity.owns(delivery.partner)
        id = delivery.id
        eventId = delivery.eventId
        subscriptionId = delivery.subscriptionId
        partner = delivery.partner
        channel = delivery.channel
        target = visible ? delivery.target : Self.masked
        status = delivery.status
        attempts = delivery.attempts
        lastError = visible ? delivery.lastError : delivery.lastError.map { _ in Self.masked }
        nextAttemptAt = delivery.status == .pending || delivery.status == .failed ? delivery.nextAttemptAt : nil
        createdAt = delivery.createdAt
        updatedAt = delivery.updatedAt
        self.history = history.map { $0.map { AttemptView($0, visible: visible) } }
    }
}

struct AttemptView: Encodable {
    var number: Int
    var startedAt: Date
    var finishedAt: Date
    var status: DeliveryStatus
    var responseCode: Int?
    var error: String?

    init(_ attempt: Attempt, visible: Bool) {
        number = attempt.number
        startedAt = attempt.startedAt
        finishedAt = attempt.finishedAt
        status = attempt.status
        responseCode = attempt.responseCode
        error = visible ? attempt.error : attempt.error.map { _ in DeliveryView.masked }
    }
}

struct DeliveryPage: Encodable {
    var deliveries: [DeliveryView]
    /// Pass as `after` for the next page; null on the last page.
    var next: String?
}
