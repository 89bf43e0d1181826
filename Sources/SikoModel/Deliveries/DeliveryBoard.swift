/// One event's deliveries counted by state for each receiving partner and channel: what the
/// event page's live board shows and what its updates carry.
public struct DeliveryBoard: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        public var partner: String
        public var channel: ChannelKind
        public var counts: [DeliveryStatus: Int]
        public var total: Int { counts.values.reduce(0, +) }

        public func count(_ status: DeliveryStatus) -> Int { counts[status] ?? 0 }
    }

    /// Ordered by partner, then channel, so a row keeps its place while counts change.
    public var rows: [Row]
    public var totals: [DeliveryStatus: Int]
    /// True once no delivery will change on its own (all delivered, sent, given up or suppressed).
    public var settled: Bool

    public init(_ deliveries: [Delivery]) {
        var byKey: [String: Row] = [:]
        var totals: [DeliveryStatus: Int] = [:]
        for delivery in deliveries {
            let key = delivery.partner + "\u{0}" + delivery.channel.rawValue
            byKey[key, default: Row(partner: delivery.partner, channel: delivery.channel, counts: [:])].counts[delivery.status, default: 0] += 1
            totals[delivery.status, default: 0] += 1
        }
        rows = byKey.values.sorted { ($0.partner, $0.channel.rawValue) < ($1.partner, $1.channel.rawValue) }
        self.totals = totals
        settled = deliveries.allSatisfy(\.status.isFinal)
    }
}
