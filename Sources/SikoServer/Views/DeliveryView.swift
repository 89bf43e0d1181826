import Foundation
import SikoModel

/// A delivery as the API shows it, as the core let the caller see it (`Visibility`).
struct DeliveryView: Encodable {
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
    /// `full`, or `teaser` for VS-NfD content on a channel that may not carry it.
    var content: DeliveryContent
    /// The policy that deferred, cut or suppressed it (`quiet-hours`, `duplicate`, …), or null.
    var rule: PolicyRule?
    var createdAt: Date
    var updatedAt: Date
    var history: [AttemptView]?
    var receipts: [ReceiptView]?

    init(_ delivery: Delivery, history: [Attempt]? = nil, receipts: [Receipt]? = nil) {
        id = delivery.id
        eventId = delivery.eventId
        subscriptionId = delivery.subscriptionId
        partner = delivery.partner
        channel = delivery.channel
        target = delivery.target
        status = delivery.status
        attempts = delivery.attempts
        lastError = delivery.lastError
        nextAttemptAt = delivery.status == .pending || delivery.status == .failed ? delivery.nextAttemptAt : nil
        content = delivery.content
        rule = delivery.rule
        createdAt = delivery.createdAt
        updatedAt = delivery.updatedAt
        self.history = history.map { $0.map(AttemptView.init) }
        self.receipts = receipts.map { $0.map(ReceiptView.init) }
    }

    enum CodingKeys: String, CodingKey {
        case id, eventId, subscriptionId, partner, channel, target, status, attempts, lastError, nextAttemptAt, content, rule, createdAt, updatedAt, history, receipts
    }

    /// Empty fields are written as null, so every delivery has the same shape; `history` only in the detail view.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(subscriptionId, forKey: .subscriptionId)
        try container.encode(partner, forKey: .partner)
        try container.encode(channel, forKey: .channel)
        try container.encode(target, forKey: .target)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(content, forKey: .content)
        try container.encode(rule, forKey: .rule)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(history, forKey: .history)
        try container.encodeIfPresent(receipts, forKey: .receipts)
    }
}

/// A delivery report from the SMS gateway, kept whether or not it changed the delivery.
struct ReceiptView: Encodable {
    var code: Int
    var meaning: String
    var detail: String?
    var receivedAt: Date

    init(_ receipt: Receipt) {
        code = receipt.report.rawValue
        meaning = receipt.report.meaning
        detail = receipt.detail
        receivedAt = receipt.receivedAt
    }

    enum CodingKeys: String, CodingKey { case code, meaning, detail, receivedAt }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(meaning, forKey: .meaning)
        try container.encode(detail, forKey: .detail)
        try container.encode(receivedAt, forKey: .receivedAt)
    }
}

struct AttemptView: Encodable {
    var number: Int
    var startedAt: Date
    var finishedAt: Date
    var status: DeliveryStatus
    var responseCode: Int?
    var error: String?

    init(_ attempt: Attempt) {
        number = attempt.number
        startedAt = attempt.startedAt
        finishedAt = attempt.finishedAt
        status = attempt.status
        responseCode = attempt.responseCode
        error = attempt.error
    }

    enum CodingKeys: String, CodingKey { case number, startedAt, finishedAt, status, responseCode, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(number, forKey: .number)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(status, forKey: .status)
        try container.encode(responseCode, forKey: .responseCode)
        try container.encode(error, forKey: .error)
    }
}

struct DeliveryPage: Encodable {
    var deliveries: [DeliveryView]
    /// Pass as `after` for the next page; null on the last page.
    var next: String?

    enum CodingKeys: String, CodingKey { case deliveries, next }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deliveries, forKey: .deliveries)
        try container.encode(next, forKey: .next)
    }
}
