import Foundation
import SikoChannels
import SikoModel
import Testing
@testable import SikoDelivery

/// Several gateways on one store: each takes its part of the installation's caps per target and
/// of a channel's pace, so together they keep what `Channels/` says, not that many times over.
@Suite("Limits shared among live gateways (pure)")
struct SharedLimitsTests {
    struct PacedChannel: Channel {
        let kind = ChannelKind.sms
        let ratePerSecond: Double?
        func send(_ job: DeliveryJob) async -> SendReport { SendReport(.delivered, host: .healthy) }
        func shutdown() async throws {}
    }

    func route(rate: Double? = 10, perTarget: Int = 16, concurrency: Int = 64) -> ChannelRoute {
        ChannelRoute(
            channel: PacedChannel(ratePerSecond: rate), retrySchedule: RetrySchedule(delays: [.zero]), timeout: .seconds(10),
            concurrency: concurrency, perTarget: perTarget
        )
    }

    @Test("alone, a gateway has the whole cap and pace")
    func alone() {
        let limits = route().limits(sharedBy: 1)
        #expect(limits.perTarget == 16)
        #expect(limits.ceiling == 16)
        #expect(limits.interval == 0.1)
        #expect(limits.budget == 64)
    }

    @Test("three gateways: a third of the cap per target each, sends a third as often, the budget their own")
    func three() {
        let limits = route().limits(sharedBy: 3)
        #expect(limits.perTarget == 5, "3 × 5 ≤ 16 sends at once to one target in all")
        #expect(limits.ceiling == 5)
        #expect(abs((limits.interval ?? 0) - 0.3) < 1e-9, "10 per second in all: one each 0.3 s per gateway")
        #expect(limits.budget == 64)
    }

    @Test("a cap smaller than the number of gateways still lets each send one at a time; no pace stays none")
    func floor() {
        let limits = route(rate: nil, perTarget: 2).limits(sharedBy: 3)
        #expect(limits.perTarget == 1)
        #expect(limits.interval == nil)
        #expect(route().limits(sharedBy: 0).perTarget == 16, "nobody counted is taken as alone")
    }
}
