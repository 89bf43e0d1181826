import Foundation
import SikoModel
import Synchronization

/// One token bucket per API key, so one partner's runaway system cannot crowd out the others.
public final class RateLimiter: Sendable {
    public struct Limit: Sendable, Equatable {
        /// Requests a second, sustained.
        public var rate: Double
        /// Requests that may come at once after a quiet spell.
        public var burst: Double

        public init(rate: Double, burst: Double) {
            self.rate = rate
            self.burst = burst
        }
    }

    private let limit: Limit
    private let buckets = Mutex<[String: TokenBucket]>([:])

    public init(limit: Limit) { self.limit = limit }

    /// Nil when the key may go ahead, else the seconds until it may.
    func take(key: String, now: Date) -> TimeInterval? {
        buckets.withLock { buckets in
            buckets[key, default: TokenBucket(rate: limit.rate, burst: limit.burst, now: now)].take(now: now)
        }
    }
}
