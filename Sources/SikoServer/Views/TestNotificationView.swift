import Foundation
import SikoCore
import SikoModel

/// The answer to `POST /v1/subscriptions/{id}/test`: what was made, and where to follow it.
struct TestNotificationView: Encodable {
    /// API paths, relative to the public URL.
    struct Paths: Encodable {
        var delivery: String
        var event: String
    }

    var deliveryId: String
    var eventId: String
    var subscriptionId: String
    var links: Paths

    init(_ sent: TestNotification) {
        deliveryId = sent.deliveryId
        eventId = sent.eventId
        subscriptionId = sent.subscriptionId
        links = Paths(delivery: "/v1/deliveries/\(sent.deliveryId)", event: "/v1/events/\(sent.eventId)")
    }
}
