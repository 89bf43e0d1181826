import SikoModel

/// What one caller may read of what others own: a publisher learns that its event reached a partner,
/// not where. Every front end shows these values as they come, so the rule lives here once.
public enum Visibility {
    public static let masked = "***"

    /// The delivery as `identity` may see it: targets and errors of another partner's subscription masked.
    public static func delivery(_ delivery: Delivery, for identity: Identity) -> Delivery {
        guard !identity.owns(delivery.partner) else { return delivery }
        var delivery = delivery
        delivery.target = masked
        delivery.lastError = delivery.lastError.map { _ in masked }
        return delivery
    }

    public static func attempt(_ attempt: Attempt, of delivery: Delivery, for identity: Identity) -> Attempt {
        guard !identity.owns(delivery.partner) else { return attempt }
        var attempt = attempt
        attempt.error = attempt.error.map { _ in masked }
        return attempt
    }

    public static func receipt(_ receipt: Receipt, of delivery: Delivery, for identity: Identity) -> Receipt {
        guard !identity.owns(delivery.partner) else { return receipt }
        var receipt = receipt
        receipt.detail = receipt.detail.map { _ in masked }
        return receipt
    }

    /// An explanation with other partners' subscription names and targets masked.
    public static func explanation(_ explanation: Explanation, for identity: Identity) -> Explanation {
        var explanation = explanation
        for index in explanation.items.indices where !identity.owns(explanation.items[index].subscription.partner) {
            explanation.items[index].subscription.name = masked
            explanation.items[index].subscription.target = masked
        }
        return explanation
    }
}
