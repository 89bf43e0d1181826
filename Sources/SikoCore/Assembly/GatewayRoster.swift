import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SikoDelivery
import SikoModel

/// What a gateway makes of the gateways seen on its store: how many share the installation's
/// limits, and which of them run other `Rules/` or `Channels/` than this one.
public struct PeerView: Sendable, Equatable {
    public var live: Int
    public var differing: [GatewayPresence]

    public init(me: GatewayPresence, seen: [GatewayPresence]) {
        let others = seen.filter { $0.id != me.id }
        live = others.count + 1
        differing = others.filter { $0.rules != me.rules || $0.channels != me.channels }
    }
}

/// Tells the other gateways on a shared store that this one is alive, every `interval`, and keeps
/// this one's share of the caps and paces (`Dispatcher.share(among:)`) to the gateways alive: one
/// that stops says so, one that dies is counted out after `stale`. Gateways whose configuration
/// differs are warned of in the log whenever that changes, and counted on `/metrics`.
struct GatewayRoster: Sendable {
    static let interval: Duration = .seconds(5)
    static let stale: Duration = .seconds(15)

    let changes: any StoreChanges
    let dispatcher: Dispatcher
    let configuration: ConfigurationInfo
    let startedAt: Date
    let logger: Logger
    let liveGauge: Gauge
    let differingGauge: Gauge

    init(changes: any StoreChanges, dispatcher: Dispatcher, configuration: ConfigurationInfo, metrics: PrometheusCollectorRegistry, startedAt: Date, logger: Logger) {
        self.changes = changes
        self.dispatcher = dispatcher
        self.configuration = configuration
        self.startedAt = startedAt
        self.logger = logger
        liveGauge = metrics.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "siko_gateways", unitName: "live", helpText: "Gateways alive on this gateway's store, itself among them"
        ))
        differingGauge = metrics.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "siko_gateways", unitName: "differing", helpText: "Other gateways on this store whose Rules/ or Channels/ differ from this one's"
        ))
    }

    var me: GatewayPresence {
        let fingerprints = configuration.inForce
        return GatewayPresence(
            id: dispatcher.owner, host: "\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier)",
            startedAt: startedAt, rules: fingerprints?.rules ?? "?", channels: fingerprints?.channels ?? "?"
        )
    }

    func run() async {
        var last: PeerView?
        while !Task.isCancelled {
            let me = self.me
            do {
                let view = PeerView(me: me, seen: try await changes.announce(me, within: Self.stale))
                apply(view, after: last, me: me)
                last = view
            } catch {
                logger.warning("telling the other gateways that this one is alive failed; the share of the limits is kept", metadata: [
                    "error": "\(error)",
                ])
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) } } catch { break }
        }
        try? await changes.withdraw(me.id)
    }

    private func apply(_ view: PeerView, after last: PeerView?, me: GatewayPresence) {
        liveGauge.set(Double(view.live))
        differingGauge.set(Double(view.differing.count))
        if view.live != last?.live {
            dispatcher.share(among: view.live)
            logger.notice("gateways alive on the shared store", metadata: [
                "gateways": "\(view.live)", "share": "1/\(view.live) of each per-target cap and channel rate",
            ])
        }
        if view.differing.map(\.id) != last?.differing.map(\.id), !view.differing.isEmpty {
            logger.warning("gateways on this database run other Rules/ or Channels/ than this one: events may match and be limited differently depending on the gateway they reach", metadata: [
                "rulesFingerprint": "\(me.rules)", "channelsFingerprint": "\(me.channels)",
                "differing": "\(view.differing.map { "\($0.host) (rules \($0.rules), channels \($0.channels))" }.joined(separator: "; "))",
            ])
        }
    }
}
