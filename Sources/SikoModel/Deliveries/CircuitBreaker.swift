import Foundation

/// A circuit breaker for one receiving host. After `threshold` failures in a row it opens: nothing
/// is sent there until `cooldown` has passed. Then one probe goes (half-open); its success closes
/// the breaker, its failure opens it again for twice as long, up to `maxCooldown`.
public struct CircuitBreaker: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        public var threshold: Int
        public var cooldown: Duration
        public var maxCooldown: Duration

        public init(threshold: Int = 5, cooldown: Duration = .seconds(30), maxCooldown: Duration = .seconds(600)) {
            self.threshold = threshold
            self.cooldown = cooldown
            self.maxCooldown = maxCooldown
        }
    }

    public enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: Date, cooldown: Duration)
        /// One probe is out; everything else waits for its answer.
        case halfOpen(cooldown: Duration)
    }

    public private(set) var state: State = .closed(failures: 0)
    public let settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// May a send to this host start now? In the open state after the cooldown, the first caller
    /// becomes the probe and the breaker turns half-open.
    public mutating func admit(now: Date) -> Bool {
        switch state {
        case .closed: return true
        case .halfOpen: return false
        case .open(let until, let cooldown):
            guard now >= until else { return false }
            state = .halfOpen(cooldown: cooldown)
            return true
        }
    }

    /// When a send may be tried again, for a breaker that refuses now.
    public func retryAt(now: Date) -> Date {
        switch state {
        case .closed: now
        case .open(let until, _): max(until, now)
        case .halfOpen(let cooldown): now.addingTimeInterval(min(cooldown, .seconds(5)).timeInterval)
        }
    }

    /// Records the answer of a send. A receiver that answered (even 4xx) counts as reachable.
    public mutating func record(failure: Bool, now: Date) {
        switch (state, failure) {
        case (_, false):
            state = .closed(failures: 0)
        case (.closed(let failures), true):
            state = failures + 1 >= settings.threshold
                ? .open(until: now.addingTimeInterval(settings.cooldown.timeInterval), cooldown: settings.cooldown)
                : .closed(failures: failures + 1)
        case (.halfOpen(let cooldown), true):
            let longer = min(cooldown * 2, settings.maxCooldown)
            state = .open(until: now.addingTimeInterval(longer.timeInterval), cooldown: longer)
        case (.open, true):
            break
        }
    }

    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }
}
