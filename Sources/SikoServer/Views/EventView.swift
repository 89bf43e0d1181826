import Foundation
import SikoModel

/// An event with its deliveries counted by state, every state present.
struct EventView: Encodable {
    var event: Event
    var deliveries: [String: Int]

    init(_ event: Event, counts: [DeliveryStatus: Int]) {
        self.event = event
        var all = Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, 0) })
        for (status, count) in counts { all[status.rawValue] = count }
        all["total"] = counts.values.reduce(0, +)
        deliveries = all
    }

    enum CodingKeys: String, CodingKey { case deliveries }

    /// The event's own fields, then `deliveries`, in one object.
    func encode(to encoder: any Encoder) throws {
        try event.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deliveries, forKey: .deliveries)
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
