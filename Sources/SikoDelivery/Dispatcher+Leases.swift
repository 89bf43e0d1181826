import Foundation

extension Dispatcher {
    /// Every third of a lease, the leases of the sends in flight (and of handed-off jobs about to
    /// start) are extended by a whole one, so only a dispatcher that is gone, or cut off from the
    /// store, loses its leases. A send that ended without its record is no longer among them: its
    /// lease expires and another claim brings the delivery back.
    func renewLeases() async {
        while !Task.isCancelled {
            let lease = leaseDuration
            do { try await Task.sleep(for: lease / 3) } catch { return }
            let ids = Array(inFlight.withLock { $0 }) + inbox.withLock { $0.map(\.delivery.id) }
            do {
                _ = try await store.renewLeases(ids, owner: configuration.owner, until: clock.now().addingTimeInterval(lease.timeInterval))
            } catch {
                logger.warning("renewing the leases of sends in flight failed; tried again in a third of a lease", metadata: ["error": "\(error)"])
            }
        }
    }
}
