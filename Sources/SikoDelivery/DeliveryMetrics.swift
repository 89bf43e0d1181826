import CoreMetrics
import SikoModel

/// Counters and timings of sends, labelled by channel and the state each attempt led to.
struct DeliveryMetrics: Sendable {
    private let outcomes: [String: Counter]
    private let latency: [ChannelKind: Timer]

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
    }

    func record(channel: ChannelKind, status: DeliveryStatus, duration: Duration) {
        outcomes["\(channel.rawValue)/\(status.rawValue)"]?.increment()
        latency[channel]?.recordNanoseconds(duration.milliseconds * 1_000_000)
    }
}
