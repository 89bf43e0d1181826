import Foundation
import SikoCore
import SikoModel

/// An event with its deliveries counted by state, every state present.
struct EventView: Encodable {
    var event: Event
    var deliveries: [String: Int]
    /// The original and its updates, cancellation and answers, oldest first, as far as the caller may see them.
    var chain: [ChainLink]

    struct ChainLink: Encodable {
        var id: String
        var messageType: MessageType
        var publishedAt: Date
        var title: String
    }

    init(_ event: Event, counts: [DeliveryStatus: Int], chain: [Event]) {
        self.event = event
        self.chain = chain.map { ChainLink(id: $0.id, messageType: $0.messageType, publishedAt: $0.publishedAt, title: $0.title) }
        var all = Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, 0) })
        for (status, count) in counts { all[status.rawValue] = count }
        all["total"] = counts.values.reduce(0, +)
        deliveries = all
    }

    enum CodingKeys: String, CodingKey { case deliveries, chain }

    /// The event's own fields, then `deliveries`, in one object.
    func encode(to encoder: any Encoder) throws {
        try event.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deliveries, forKey: .deliveries)
        try container.encode(chain, forKey: .chain)
    }
}

/// The answer to a publish, written by hand as the encoder would write it (sorted keys): it is
/// the answer to every event, and an encoder per answer cost more than the rest of it.
struct PublishView: Encodable, Sendable {
    var id: String
    var deliveries: Int
    var duplicate: Bool

    var json: [UInt8] {
        Array(#"{"deliveries":\#(deliveries),"duplicate":\#(duplicate),"id":"#.utf8) + JSONCoding.quoted(id) + [UInt8(ascii: "}")]
    }
}

/// The answer to a CAP alert: as for JSON, and whether anybody is told, and what the gateway made of it.
struct CAPPublishView: Encodable {
    var id: String
    var deliveries: Int
    var duplicate: Bool
    var sent: Bool
    var reason: String?
    var note: String?

    init(_ outcome: PublishingService.CAPOutcome) {
        id = outcome.result.eventId
        deliveries = outcome.result.deliveries
        duplicate = outcome.result.duplicate
        sent = outcome.unsent == nil
        reason = outcome.unsent
        note = outcome.note
    }
}
