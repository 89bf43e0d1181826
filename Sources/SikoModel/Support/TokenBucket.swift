import Foundation

/// A token bucket: `rate` tokens a second, at most `burst` saved up. Each request takes one; an
/// empty bucket answers how long until the next token.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: Date

    public init(rate: Double, burst: Double, now: Date) {
        self.rate = rate
        self.burst = max(1, burst)
        tokens = max(1, burst)
        last = now
    }

    /// Takes a token; nil when one was there, else the seconds until one will be.
    public mutating func take(now: Date) -> TimeInterval? {
        tokens = min(burst, tokens + max(0, now.timeIntervalSince(last)) * rate)
        last = max(last, now)
        guard tokens < 1 else {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }

    /// Nil when a token is there now, else the seconds until one will be; takes nothing.
    public func wait(now: Date) -> TimeInterval? {
        var copy = self
        return copy.take(now: now)
    }

    /// True when the bucket has filled up again: it is then no different from a new one.
    public func isFull(now: Date) -> Bool {
        tokens + max(0, now.timeIntervalSince(last)) * rate >= burst
    }
}
