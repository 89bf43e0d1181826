/// What a name lookup found: the addresses, or why there are none to be had now.
public enum LookupAnswer: Sendable, Equatable {
    case addresses([IPAddress])
    case failed(String)

    public static func timedOut(_ name: String, after deadline: Duration) -> LookupAnswer {
        .failed("cannot resolve \(name): timed out after \(DurationText.format(deadline))")
    }
}

/// What the outbound guard's resolver knows about host names: answers still fresh (addresses for a
/// while, failures only briefly, so a name server that recovers is asked again soon) and the lookups
/// under way, at most one per name and `Limits.lookups` in all. Pure, so single flight, deadlines
/// and the bound on remembered answers are tested without DNS. `Pending` is whatever the resolver
/// waits on.
public struct NameLookups<Pending: Sendable>: Sendable {
    public struct Limits: Sendable {
        /// Lookups under way at once: the resolver's threads.
        public var lookups: Int
        /// Answers remembered; beyond this the expired and then the soonest to expire go.
        public var answers: Int
        public var addressLifetime: Duration
        public var failureLifetime: Duration

        public init(lookups: Int = 8, answers: Int = 1024, addressLifetime: Duration = .seconds(30), failureLifetime: Duration = .seconds(5)) {
            self.lookups = lookups
            self.answers = answers
            self.addressLifetime = addressLifetime
            self.failureLifetime = failureLifetime
        }
    }

    /// What a caller does next: take an answer, or wait for a lookup until `until`.
    public enum Step: Sendable {
        case answer(LookupAnswer)
        case wait(Pending, until: ContinuousClock.Instant)
    }

    private struct Remembered: Sendable {
        var answer: LookupAnswer
        var expires: ContinuousClock.Instant
    }

    private struct Flight: Sendable {
        var pending: Pending
        var started: ContinuousClock.Instant
    }

    public let limits: Limits
    private var remembered: [String: Remembered] = [:]
    private var flights: [String: Flight] = [:]

    public init(limits: Limits = .init()) { self.limits = limits }

    public var rememberedCount: Int { remembered.count }
    public var lookupsUnderWay: Int { flights.count }

    /// `start` begins a lookup of `name`; it is called only when none is under way and one more fits.
    /// A lookup past its deadline still holds its thread (getaddrinfo cannot be cancelled), so
    /// callers after the deadline are answered at once rather than waiting on it again.
    public mutating func begin(_ name: String, deadline: Duration, now: ContinuousClock.Instant, start: () -> Pending) -> Step {
        if let known = remembered[name] {
            if known.expires > now { return .answer(known.answer) }
            remembered[name] = nil
        }
        if let flight = flights[name] {
            let until = flight.started + deadline
            return until > now ? .wait(flight.pending, until: until) : .answer(.timedOut(name, after: deadline))
        }
        guard flights.count < limits.lookups else {
            return .answer(.failed("cannot resolve \(name) now: all \(limits.lookups) resolver threads are busy"))
        }
        let pending = start()
        flights[name] = Flight(pending: pending, started: now)
        return .wait(pending, until: now + deadline)
    }

    /// The lookup of `name` has come back, however late: its answer is remembered and its thread free.
    public mutating func finish(_ name: String, _ answer: LookupAnswer, now: ContinuousClock.Instant) {
        flights[name] = nil
        let lifetime = if case .addresses = answer { limits.addressLifetime } else { limits.failureLifetime }
        remembered[name] = Remembered(answer: answer, expires: now + lifetime)
        guard remembered.count > limits.answers else { return }
        remembered = remembered.filter { $0.value.expires > now }
        while remembered.count > limits.answers, let soonest = remembered.min(by: { $0.value.expires < $1.value.expires })?.key {
            remembered[soonest] = nil
        }
    }
}

