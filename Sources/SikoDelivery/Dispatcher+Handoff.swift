import Foundation
import SikoModel

/// Takes deliveries straight from publishing (`Handoff`), so a planned delivery with a free slot
/// goes out without a claim transaction and without waiting for the loop to look for it.
public protocol HandoffReceiver: Sendable {
    /// Takes slots for those of `deliveries` that may start now; answers the lease to store them
    /// under, or nil when none may.
    func reserve(_ deliveries: [Delivery], now: Date) -> Handoff?
    /// Starts the jobs the store leased; every other delivery of `reserved` gives its slot back
    /// (the event was a replay, a subscription went away, or the write failed).
    func accept(_ jobs: [DeliveryJob], reserved: [Delivery])
}

extension Dispatcher: HandoffReceiver {
    public func reserve(_ deliveries: [Delivery], now: Date) -> Handoff? {
        guard running.load(ordering: .relaxed), !stopping.load(ordering: .relaxed) else { return nil }
        let routed = routes.withLock { Set($0.keys) }
        let behind = backlogged.withLock { $0 }
        let ids = admission.withLock { admission in
            deliveries.filter { delivery in
                delivery.status == .pending && (delivery.nextAttemptAt ?? .distantFuture) <= now
                    && routed.contains(delivery.channel) && !behind.contains(delivery.channel)
                    && admission.admit(delivery, now: now) == .start
            }.map(\.id)
        }
        guard !ids.isEmpty else { return nil }
        return Handoff(owner: configuration.owner, leaseUntil: now.addingTimeInterval(leaseDuration.timeInterval), deliveryIds: Set(ids))
    }

    public func accept(_ jobs: [DeliveryJob], reserved: [Delivery]) {
        let taken = Set(jobs.map(\.delivery.id))
        let unused = reserved.filter { !taken.contains($0.id) }
        if !unused.isEmpty {
            let now = clock.now()
            admission.withLock { admission in for delivery in unused { admission.finish(delivery, host: .unknown, now: now) } }
        }
        guard !jobs.isEmpty else { return }
        inbox.withLock { $0 += jobs }
        wake.signal(.handoff)
    }

    /// Starts what was handed off since the last look.
    func startHanded(group: inout DiscardingTaskGroup) {
        for job in inbox.withLock({ inbox in defer { inbox = [] }; return inbox }) { start(job, group: &group) }
    }
}
