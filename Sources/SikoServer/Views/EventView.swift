import Foundation
import SikoModel

/// An event with its deliveries counted by state.
struct EventView: Encodable {
    var id: String
    var externalId: String?
    var publisher: String
    var topic: String
    var urgency: Urgency
    var areas: [String]
    var title: String
    var body: String?
    var classification: Classification
    var publishedAt: Date
    var expiresAt: Date?
    var data: JSONValue?
    var deliveries: [String: Int]

    init(_ event: Event, counts: [DeliveryStatus: Int]) {
        id = event.id
        externalId = event.externalId
        publisher = event.publisher
        topic = event.topic
        urgency = event.urgency
        areas = event.areas
        title = event.title
        body = event.body
        classification = event.classification
        publishedAt = event.publishedAt
        expiresAt = event.expiresAt
        data = event.data
        var all = Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, 0) })
        for (status, count) in counts { all[status.rawValue] = count }
        all["total"] = counts.values.reduce(0, +)
        deliveries = all
    }
}

struct PublishView: Encodable {
    var id: String
    var deliveries: Int
    var duplicate: Bool
}
