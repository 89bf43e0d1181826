import Prometheus
import Synchronization

/// `siko_configuration_info{rules="…",channels="…"} 1`: the fingerprints of the `Rules/` and
/// `Channels/` in force, so gateways that should run the same rules can be compared at a glance.
/// A reload replaces the series; the old one disappears rather than lingering at 0.
public final class ConfigurationInfo: Sendable {
    public struct Fingerprints: Sendable, Equatable {
        public var rules: String
        public var channels: String

        public init(rules: String, channels: String) {
            self.rules = rules
            self.channels = channels
        }
    }

    private let registry: PrometheusCollectorRegistry
    private let current = Mutex<(Fingerprints, Gauge)?>(nil)

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    public var inForce: Fingerprints? { current.withLock { $0?.0 } }

    public func record(_ fingerprints: Fingerprints) {
        current.withLock { current in
            if let (old, gauge) = current {
                guard old != fingerprints else { return }
                registry.unregisterGauge(gauge)
            }
            let gauge = registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    metricName: "siko_configuration", unitName: "info", helpText: "Fingerprints of the Rules/ and Channels/ in force"
                ),
                labels: [("rules", fingerprints.rules), ("channels", fingerprints.channels)]
            )
            gauge.set(Int64(1))
            current = (fingerprints, gauge)
        }
    }
}
