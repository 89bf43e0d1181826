import Foundation

/// How long a console session lasts: it ends after `idle` without use, and at the latest
/// `absolute` after it began, however busy. Hummingbird's sessions know one lifetime; this adds
/// the other, and the store applies both on every read.
public struct SessionLifetime: Sendable, Equatable {
    public var idle: Duration
    public var absolute: Duration

    public static let standard = SessionLifetime(idle: .seconds(30 * 60), absolute: .seconds(12 * 3600))
    /// A use moves the expiry only when that gains more than this: one write a minute, not one per page.
    public static let renewalStep: TimeInterval = 60

    public init(idle: Duration, absolute: Duration) {
        self.idle = idle
        self.absolute = absolute
    }

    /// The moment a session begun at `createdAt` ends, however busy.
    public func end(createdAt: Date) -> Date { createdAt.addingTimeInterval(absolute.timeInterval) }

    /// The expiry after a use at `now`: `idle` from now, or `requested` when that is shorter, and
    /// never past the absolute end.
    public func expiry(createdAt: Date, usedAt now: Date, requested: Duration? = nil) -> Date {
        let span = min(requested ?? idle, idle)
        return min(now.addingTimeInterval(max(0, span.timeInterval)), end(createdAt: createdAt))
    }

    /// Whether a session may still be used at `now`.
    public func isLive(createdAt: Date, expiresAt: Date, at now: Date) -> Bool {
        now < expiresAt && now < end(createdAt: createdAt)
    }

    /// The expiry to write after a use at `now`, or nil when the stored one is close enough.
    public func renewal(createdAt: Date, expiresAt: Date, usedAt now: Date) -> Date? {
        let renewed = expiry(createdAt: createdAt, usedAt: now)
        return renewed.timeIntervalSince(expiresAt) > Self.renewalStep ? renewed : nil
    }
}
