import Foundation

/// Who hears of an update or cancellation: the original's recipients, not a new match. Pure: the
/// chain's deliveries and the subscriptions as they are now come in, deliveries go out.
///
/// An update takes the place of what went before, so it goes to everyone who was told or was still
/// to be told, and their unsent deliveries of the chain stop. A cancellation goes to those who were
/// told (or are being told this moment); everyone else's unsent deliveries just stop, since a
/// notice that something is off helps nobody who never heard of it. Neither waits for quiet hours
/// (a cancellation must not arrive after the morning) nor counts as a duplicate or towards a flood
/// limit; VS-NfD content still travels only as the classification rule allows. A subscription
/// deleted or disabled since is skipped; the others are told at their current target.
public struct CorrectionPlan: Sendable {
    public var deliveries: [Delivery]
    public var supersedes: Supersession

    /// Deliveries that told their receiver, or are telling it now.
    static let told: Set<DeliveryStatus> = [.delivered, .sent, .sending]
    /// Deliveries that would still tell it.
    static let toBeTold: Set<DeliveryStatus> = [.pending, .failed]

    /// The subscriptions a correction of `type` goes to, in the order the chain first reached them.
    public static func recipients(_ type: MessageType, chain deliveries: [Delivery]) -> [String] {
        let reached = type == .update ? told.union(toBeTold) : told
        var seen: Set<String> = []
        return deliveries.filter { reached.contains($0.status) && seen.insert($0.subscriptionId).inserted }.map(\.subscriptionId)
    }

    /// `subscriptions` are the live ones among `recipients(…)`; `chain` the events before this one.
    public init(_ correction: Event, chain: [Event], subscriptions: [Subscription], policies: PolicyEngine, now: Date) {
        let decisions = subscriptions.map { policies.decide(correction: correction, for: $0, now: now) }
        deliveries = DeliveryPlanner().plan(correction, to: subscriptions, decisions: decisions, now: now)
        let what = correction.messageType == .cancel ? "cancelled" : "superseded"
        supersedes = Supersession(eventIds: chain.map(\.id), reason: "\(what) by \(correction.id)")
    }
}

extension PolicyEngine {
    /// A correction's decision: sent now, in full or as a teaser as the classification rule says.
    public func decide(correction event: Event, for subscription: Subscription, now: Date) -> PolicyDecision {
        switch policies.classification.verdict(for: event.classification, subscription: subscription) {
        case .suppress(let why): PolicyDecision(action: .suppress, rule: .classification, reason: why)
        case .send(.teaser, let why): PolicyDecision(action: .send(at: now), content: .teaser, rule: .classification, reason: why)
        case .send(let content, _): PolicyDecision(action: .send(at: now), content: content)
        }
    }
}

extension DeliveryPlanner {
    /// Deliveries to named subscriptions (a correction's recipients), as the decisions say.
    public func plan(_ event: Event, to subscriptions: [Subscription], decisions: [PolicyDecision], now: Date) -> [Delivery] {
        zip(subscriptions, decisions).map { subscription, decision in
            var delivery = Delivery(
                id: Identifier.make("dlv", at: now), eventId: event.id, subscriptionId: subscription.id, partner: subscription.partner,
                channel: subscription.channel, target: subscription.target, status: .pending, nextAttemptAt: now,
                content: decision.content, rule: decision.rule, createdAt: now, updatedAt: now
            )
            if case .suppress = decision.action {
                delivery.status = .suppressed
                delivery.nextAttemptAt = nil
                delivery.lastError = decision.reason
            }
            return delivery
        }
    }
}
