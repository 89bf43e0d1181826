import Foundation

/// When failed sign-ins make the next attempt wait, counted per login and per client address.
/// Chosen policy: `allowed` failures within `window` are free; the next failure starts a wait of
/// `firstWait` from it, each further failure in the window doubles it, up to `longestWait`. A wait
/// is never shortened by success elsewhere, and attempts during a wait are not checked at all, so
/// they neither count nor reveal anything.
public struct SignInThrottle: Sendable, Equatable {
    public var allowed: Int
    public var window: Duration
    public var firstWait: Duration
    public var longestWait: Duration

    /// 5 failures in 15 minutes, then 5 minutes' wait, then 10, at most 15.
    public static let standard = SignInThrottle(allowed: 5, window: .seconds(15 * 60), firstWait: .seconds(5 * 60), longestWait: .seconds(15 * 60))

    public init(allowed: Int, window: Duration, firstWait: Duration, longestWait: Duration) {
        self.allowed = allowed
        self.window = window
        self.firstWait = firstWait
        self.longestWait = longestWait
    }

    /// Failures before this no longer matter at `now`: what `wait` is given may start here.
    public func relevantSince(_ now: Date) -> Date { now.addingTimeInterval(-(window + longestWait).timeInterval) }

    /// How long an attempt at `now` must still wait after `failures` (in any order), or nil when it
    /// may go ahead. The wait is the one the latest failure started, reckoned from the failures
    /// within the window up to it, so it never ends early when older failures leave the window.
    public func wait(after failures: [Date], at now: Date) -> Duration? {
        guard let last = failures.filter({ $0 <= now }).max() else { return nil }
        let start = last.addingTimeInterval(-window.timeInterval)
        let count = failures.filter { $0 > start && $0 <= last }.count
        guard count >= allowed else { return nil }
        let doublings = min(count - allowed, 16)
        let length = min(firstWait.timeInterval * Double(1 << doublings), longestWait.timeInterval)
        let remaining = last.addingTimeInterval(length).timeIntervalSince(now)
        guard remaining > 0 else { return nil }
        // Whole seconds, rounded up: the page says how long, and a wait never ends early.
        return .seconds(Int64(remaining.rounded(.up)))
    }
}
