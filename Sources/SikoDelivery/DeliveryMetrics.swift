import CoreMetrics
import SikoModel

/// Counters and timings of sends, labelled by channel and the state each attempt led to; deliveries
/// held back by caps and breakers; breakers open and probing.
struct DeliveryMetrics: Sendable {
    private let outcomes: [String: Counter]
    private let latency: [ChannelKind: Timer]
    private let heldBack: [ChannelKind: Counter]
    private let openBreakers: Gauge
    private let probingBreakers: Gauge
    private let disabledGone: Counter
    private let disabledFailing: Counter

    init(factory: any MetricsFactory, channels: some Sequence<ChannelKind>) {
        var outcomes: [String: Counter] = [:]
        var latency: [ChannelKind: Timer] = [:]
        for channel in channels {
            for status in DeliveryStatus.allCases {
                outcomes["\(channel.rawValue)/\(status.rawValue)"] = Counter(
                    label: "siko_delivery_attempts_total",
                    dimensions: [("channel", channel.rawValue), ("outcome", status.rawValue)], factory: factory
                )
            }
            latency[channel] = Timer(label: "siko_delivery_send_seconds", dimensions: [("channel", channel.rawValue)], factory: factory)
        }
        self.outcomes = outcomes
        self.latency = latency
        heldBack = Dictionary(uniqueKeysWithValues: ChannelKind.allCases.map {
            ($0, Counter(label: "siko_delivery_held_back_total", dimensions: [("channel", $0.rawValue)], factory: factory))
        })
        openBreakers = Gauge(label: "siko_circuit_breakers", dimensions: [("state", "open")], factory: factory)
        probingBreakers = Gauge(label: "siko_circuit_breakers", dimensions: [("state", "half-open")], factory: factory)
        disabledGone = Counter(label: "siko_subscriptions_disabled_total", dimensions: [("reason", "gone")], factory: factory)
        disabledFailing = Counter(label: "siko_subscriptions_disabled_total", dimensions: [("reason", "failing")], factory: factory)
    }

    /// A subscription disabled by the gateway: its receiver said 410 (`gone`), or it failed for days (`failing`).
    func disabled(reason: String) {
        (reason == "gone" ? disabledGone : disabledFailing).increment()
    }

    /// Claimed but given back unsent: the target at its cap or its host's breaker open.
    func held(channel: ChannelKind, count: Int) {
        heldBack[channel]?.increment(by: count)
    }

    func breakers(_ counts: (open: Int, halfOpen: Int)) {
        openBreakers.record(counts.open)
        probingBreakers.record(counts.halfOpen)
    }

    func record(channel: ChannelKind, status: DeliveryStatus, duration: Duration) {
        outcomes["\(channel.rawValue)/\(status.rawValue)"]?.increment()
        latency[channel]?.recordNanoseconds(duration.milliseconds * 1_000_000)
    }
}
