import Foundation

/// A delivery not yet sent (pending or failed) with its event, as a subscription change sees it.
public struct OpenDelivery: Sendable {
    public var delivery: Delivery
    public var event: Event

    public init(delivery: Delivery, event: Event) {
        self.delivery = delivery
        self.event = event
    }
}

/// What a subscription change does to one of its open deliveries.
public enum DeliveryRevision: Sendable, Equatable {
    case suppress(deliveryId: String, reason: String)
    /// To the subscription's current target, with the content decided again for it.
    case retarget(deliveryId: String, target: String, content: DeliveryContent, rule: PolicyRule?)
}

/// Decides again what a changed subscription's open deliveries do, so nothing goes to a target
/// or under terms the subscription no longer has. Pure: the caller persists the result in the
/// transaction that writes the change.
public struct OpenDeliveryReview: Sendable {
    public var reference: ReferenceData
    public var classification: ClassificationRule

    public init(reference: ReferenceData, classification: ClassificationRule) {
        self.reference = reference
        self.classification = classification
    }

    /// A disabled subscription stops its open deliveries; one that no longer matches an event stops
    /// that delivery ("subscription changed"); the others go to the current target, and a VS-NfD
    /// event's content is decided again for it (https to plain http turns full content into a teaser).
    public func review(_ open: [OpenDelivery], from old: Subscription, to new: Subscription) -> [DeliveryRevision] {
        guard new.enabled else {
            let reason = SubscriptionStop.disabled(new.disabledReason)
            return open.map { .suppress(deliveryId: $0.delivery.id, reason: reason) }
        }
        let matchingChanged = old.areas != new.areas || old.topics != new.topics || old.minUrgency != new.minUrgency
        guard matchingChanged || old.target != new.target || open.contains(where: { $0.delivery.target != new.target }) else { return [] }
        let index = SubscriptionIndex(reference: reference, subscriptions: [new])
        return open.compactMap { item in
            let id = item.delivery.id
            if matchingChanged, index.match(item.event).isEmpty {
                return .suppress(deliveryId: id, reason: "subscription changed: it no longer matches this event")
            }
            switch classification.verdict(for: item.event.classification, subscription: new) {
            case .suppress(let why):
                return .suppress(deliveryId: id, reason: "subscription changed: " + why)
            case .send(let content, _):
                let rule: PolicyRule? = content == .teaser ? .classification : (item.delivery.rule == .classification ? nil : item.delivery.rule)
                guard item.delivery.target != new.target || item.delivery.content != content else { return nil }
                return .retarget(deliveryId: id, target: new.target, content: content, rule: rule)
            }
        }
    }
}
