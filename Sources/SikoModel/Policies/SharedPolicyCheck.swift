import Foundation

/// The policies that must hold over every gateway on a shared store, not only over one gateway's
/// memory: the duplicate window and the flood limits. The store applies this where all gateways'
/// publishes meet, under locks by fingerprint and by target; the embedded store has one gateway,
/// whose memory already saw everything, and ignores it.
public struct SharedPolicyCheck: Sendable, Equatable {
    /// What makes two reports the same (`RecentEvents.Fingerprint`), as one key.
    public var fingerprint: String
    public var duplicateWindow: Duration?
    /// Limits of the channels the event's deliveries go to; empty for a critical event (exempt).
    public var floodLimits: [ChannelKind: FloodLimit]

    public init(_ event: Event, policies: Policies) {
        fingerprint = RecentEvents.Fingerprint(event).key
        duplicateWindow = policies.duplicateWindow
        floodLimits = event.urgency == .critical ? [:] : policies.floodLimits
    }

    /// The earlier event another gateway stored with the same fingerprint.
    public typealias Original = RecentEvents.Original

    public struct Target: Hashable, Sendable, Comparable {
        public var channel: ChannelKind
        public var target: String

        public init(channel: ChannelKind, target: String) {
            self.channel = channel
            self.target = target
        }

        public static func < (a: Target, b: Target) -> Bool { (a.channel.rawValue, a.target) < (b.channel.rawValue, b.target) }
    }

    /// Deliveries that would really be sent to a flood-limited target, which the store must count.
    public func limitedTargets(_ deliveries: [Delivery]) -> Set<Target> {
        Set(deliveries.filter { $0.status != .suppressed && floodLimits[$0.channel] != nil }.map { Target(channel: $0.channel, target: $0.target) })
    }

    /// Whether `original` makes `event` a copy: within the window and the urgency not higher.
    public func repeats(_ original: Original?, of event: Event) -> Original? {
        guard let original, let window = duplicateWindow, original.eventId != event.id, original.isRepeated(by: event, within: window) else { return nil }
        return original
    }

    /// `deliveries` as the installation's policies decide them: all suppressed when `original`
    /// repeats the event; otherwise each to a flood-limited target suppressed once `sent` (what all
    /// gateways sent within the limit's period, counted as this goes) reaches the limit. Answers the
    /// deliveries and whether the event stays an original later copies are measured against.
    public func apply(to deliveries: [Delivery], of event: Event, original: Original?, sent: inout [Target: Int]) -> (deliveries: [Delivery], isOriginal: Bool) {
        // This gateway's memory found it a copy already (of an event the store may not know as one).
        if deliveries.contains(where: { $0.rule == .duplicate }) { return (deliveries, false) }
        if let original = repeats(original, of: event) {
            let reason = PolicyEngine.duplicateReason(original: original.eventId, publishedAt: original.publishedAt, window: duplicateWindow ?? .zero)
            return (deliveries.map { $0.suppressed(by: .duplicate, reason: reason) }, false)
        }
        let revised = deliveries.map { delivery -> Delivery in
            guard delivery.status != .suppressed, let limit = floodLimits[delivery.channel] else { return delivery }
            let key = Target(channel: delivery.channel, target: delivery.target)
            let count = sent[key, default: 0]
            guard count < limit.max else { return delivery.suppressed(by: .floodLimit, reason: PolicyEngine.floodReason(count: count, limit: limit)) }
            sent[key] = count + 1
            return delivery
        }
        return (revised, true)
    }
}

extension RecentEvents.Fingerprint {
    /// One text for the store's index: the parts cannot run into each other (unit separators).
    public var key: String { [publisher, topic, areas.joined(separator: ","), title].joined(separator: "\u{1F}") }
}

extension Delivery {
    func suppressed(by rule: PolicyRule, reason: String) -> Delivery {
        guard status != .suppressed else { return self }
        var delivery = self
        delivery.status = .suppressed
        delivery.nextAttemptAt = nil
        delivery.rule = rule
        delivery.lastError = reason
        return delivery
    }
}
