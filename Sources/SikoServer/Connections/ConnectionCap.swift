import SikoModel
import NIOCore
import Synchronization

/// Counts the connections open at once across all event loops; one atomic add per connection.
final class ConnectionCap: Sendable {
    struct Reached: Error {}

    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Counts `channel` until it closes; false when it is one too many, for the caller to close.
    func admit(_ channel: any Channel) -> Bool {
        let count = open.add(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { [self] _ in open.subtract(1, ordering: .relaxed) }
        return count <= limit
    }
}
