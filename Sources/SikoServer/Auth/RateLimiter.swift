import Foundation
import SikoModel
import Synchronization

/// One token bucket per name (an API key, or the address of a client guessing keys), so one
/// runaway caller cannot crowd out the others.
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
    private let state = Mutex<(buckets: [String: TokenBucket], sweepAt: Date)>(([:], .distantPast))

    public init(limit: Limit) { self.limit = limit }

    /// Nil when `key` may go ahead, else the seconds until it may.
    func take(key: String, now: Date) -> TimeInterval? {
        state.withLock { state in
            // Names may come from anywhere (client addresses): buckets that have filled up again
            // are dropped, so memory follows recent callers, not every caller ever seen.
            if now >= state.sweepAt {
                state.buckets = state.buckets.filter { !$0.value.isFull(now: now) }
                state.sweepAt = now.addingTimeInterval(60)
            }
            return state.buckets[key, default: TokenBucket(rate: limit.rate, burst: limit.burst, now: now)].take(now: now)
        }
    }

    /// Like `take`, but takes nothing.
    func wait(key: String, now: Date) -> TimeInterval? {
        state.withLock { state in state.buckets[key]?.wait(now: now) }
    }
}
