import Foundation

/// One attempt per entry: entry n is the wait before attempt n+1 (the first is usually `0s`).
/// When the entries are used up the delivery is dead.
public struct RetrySchedule: Sendable, Equatable {
    public var delays: [Duration]

    public static let standard = RetrySchedule(delays: [
        .seconds(0), .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18_000),
        .seconds(36_000), .seconds(36_000),
    ])

    public init(delays: [Duration]) { self.delays = delays }

    public var maxAttempts: Int { delays.count }

    /// The wait before the attempt after attempt `number` (1-based), or nil when it was the last.
    public func delay(after number: Int) -> Duration? {
        number < delays.count ? delays[max(number, 0)] : nil
    }
}

/// What becomes of a delivery after one attempt: pure, so every branch is tested in microseconds.
public struct DeliveryTransition: Sendable, Equatable {
    public var status: DeliveryStatus
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var disablesSubscription: Bool
    /// Set when a policy ended the delivery (an event that expired before its next try).
    public var rule: PolicyRule?

    public init(status: DeliveryStatus, nextAttemptAt: Date?, lastError: String?, disablesSubscription: Bool, rule: PolicyRule? = nil) {
        self.status = status
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.disablesSubscription = disablesSubscription
        self.rule = rule
    }

    /// The event expired before the delivery went out: it is suppressed, never sent late.
    public static func expired(at expiresAt: Date, lastError: String? = nil) -> DeliveryTransition {
        let reason = "the event expired at \(JSONCoding.format(expiresAt))" + (lastError.map { " (last error: \($0))" } ?? "")
        return .init(status: .suppressed, nextAttemptAt: nil, lastError: reason, disablesSubscription: false, rule: .expired)
    }

    /// `expiresAt` is the event's: a retry that would fall after it becomes `suppressed` (`expired`).
    /// How far a scheduled wait may stray, so deliveries that failed together (a receiver that was
    /// down) do not all come back in the same second.
    public static let jitterFraction = 0.1

    /// `jitter` in -1...1 moves the scheduled wait by up to ±10%; a receiver's own `Retry-After`
    /// is never shortened.
    public static func after(
        _ outcome: DeliveryOutcome, attempt number: Int, schedule: RetrySchedule, now: Date, expiresAt: Date? = nil,
        jitter: Double = 0
    ) -> DeliveryTransition {
        switch outcome {
        case .delivered:
            return .init(status: .delivered, nextAttemptAt: nil, lastError: nil, disablesSubscription: false)
        case .sent:
            return .init(status: .sent, nextAttemptAt: nil, lastError: nil, disablesSubscription: false)
        case .permanent(let reason):
            return .init(status: .dead, nextAttemptAt: nil, lastError: reason, disablesSubscription: false)
        case .gone(let reason):
            return .init(status: .dead, nextAttemptAt: nil, lastError: reason, disablesSubscription: true)
        case .retry(let requested, let reason):
            guard let scheduled = schedule.delay(after: number) else {
                return .init(
                    status: .dead, nextAttemptAt: nil,
                    lastError: "\(reason) (gave up after \(number) attempts)", disablesSubscription: false
                )
            }
            let jittered = scheduled.timeInterval * (1 + jitterFraction * min(max(jitter, -1), 1))
            let wait = max(jittered, (requested ?? .zero).timeInterval)
            let next = now.addingTimeInterval(wait)
            if let expiresAt, next >= expiresAt { return .expired(at: expiresAt, lastError: reason) }
            return .init(status: .failed, nextAttemptAt: next, lastError: reason, disablesSubscription: false)
        }
    }
}
