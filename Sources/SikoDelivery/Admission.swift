import Foundation
import SikoModel

/// Who may send now, so one bad receiver never holds up the others: a budget per channel, a cap
/// per target, and a circuit breaker per receiving host. Pure bookkeeping, kept by the dispatcher
/// under its lock; every answer depends only on what it was told and `now`.
struct Admission: Sendable {
    struct Limits: Sendable {
        var budget: Int
        /// Sends at once to a target to begin with, and again after a slow or failed answer.
        var perTarget: Int
        /// What a target that keeps answering fast may earn (`Allowance`).
        var ceiling: Int? = nil
        var breaker: CircuitBreaker.Settings
        /// The time between two sends on a paced channel (a relay's or SMS gateway's rate).
        var interval: TimeInterval? = nil
    }

    enum Verdict: Equatable {
        case start
        /// Give it back unsent, due at this time.
        case wait(until: Date)
    }

    var limits: [ChannelKind: Limits]
    private var inFlight: [ChannelKind: Int] = [:]
    private var inFlightByTarget: [ChannelKind: [String: Int]] = [:]
    /// Each webhook target's host, parsed once rather than on every admit and finish.
    private var hostNames: [String: String] = [:]
    /// Targets that have earned more than `perTarget`; the others are not remembered.
    private var allowances: [ChannelKind: [String: Allowance]] = [:]
    private var breakers: [ChannelKind: [String: CircuitBreaker]] = [:]
    /// Targets seen per host, so an open breaker can hold back all of them.
    private var targetsByHost: [ChannelKind: [String: Set<String>]] = [:]
    private var lastPostponed: [ChannelKind: Date] = [:]
    /// When the next send may start on a paced channel.
    private var nextSlot: [ChannelKind: Date] = [:]
    /// Hosts that asked to be left alone until a time (Retry-After).
    private var holds: [ChannelKind: [String: Date]] = [:]

    init(limits: [ChannelKind: Limits]) { self.limits = limits }

    /// The receiving host a breaker watches: the webhook URL's host and port; for email and SMS the
    /// one server every message goes through.
    static func host(channel: ChannelKind, target: String) -> String {
        guard channel == .webhook else { return channel.rawValue }
        guard let url = URLComponents(string: target), let host = url.host?.lowercased() else { return target }
        return "\(host):\(url.port ?? (url.scheme?.lowercased() == "http" ? 80 : 443))"
    }

    private mutating func hostName(_ channel: ChannelKind, _ target: String) -> String {
        guard channel == .webhook else { return channel.rawValue }
        if let known = hostNames[target] { return known }
        if hostNames.count >= 10_000 { hostNames.removeAll() }
        let host = Self.host(channel: channel, target: target)
        hostNames[target] = host
        return host
    }

    func capacity(_ channel: ChannelKind) -> Int {
        (limits[channel]?.budget ?? 0) - inFlight[channel, default: 0]
    }

    func busy(_ channel: ChannelKind) -> Int { inFlight[channel, default: 0] }

    var totalBusy: Int { inFlight.values.reduce(0, +) }

    func perTarget(_ channel: ChannelKind) -> Int { limits[channel]?.perTarget ?? .max }

    /// Sends at once `target` may have now.
    func cap(_ channel: ChannelKind, _ target: String) -> Int {
        allowances[channel]?[target]?.sends ?? perTarget(channel)
    }

    /// What each target that has sends in flight or an allowance of its own may still get.
    func freeSlots(_ channel: ChannelKind) -> [String: Int] {
        var free: [String: Int] = [:]
        for target in Set((inFlightByTarget[channel] ?? [:]).keys).union((allowances[channel] ?? [:]).keys) {
            free[target] = max(0, cap(channel, target) - (inFlightByTarget[channel]?[target] ?? 0))
        }
        return free
    }

    /// How many sends the channel's pace lets start at `now`: one per slot, and an idle pause does
    /// not bank slots, so a backlog goes out evenly spaced, never in a burst.
    func paced(_ channel: ChannelKind, now: Date) -> Int {
        guard limits[channel]?.interval != nil else { return .max }
        return pacedUntil(channel, now: now) == nil ? 1 : 0
    }

    /// When a paced channel's next slot lies after `now`: that time.
    func pacedUntil(_ channel: ChannelKind, now: Date) -> Date? {
        guard limits[channel]?.interval != nil, let slot = nextSlot[channel], slot > now else { return nil }
        return slot
    }

    /// Targets a claim for `channel` should skip: those at their cap, and those behind an open breaker.
    func excludedTargets(_ channel: ChannelKind, now: Date) -> [String] {
        var excluded = (inFlightByTarget[channel] ?? [:]).compactMap { target, count in count >= cap(channel, target) ? target : nil }
        for (host, breaker) in breakers[channel] ?? [:] where breaker.isOpen && breaker.retryAt(now: now) > now {
            excluded += targetsByHost[channel]?[host] ?? []
        }
        for (host, until) in holds[channel] ?? [:] where until > now {
            excluded += targetsByHost[channel]?[host] ?? []
        }
        return excluded
    }

    /// The receiver asked to be left alone for a while (its adapter read a Retry-After): its host is
    /// held until then. That is the receiver's wish, not a failure, so it does not count toward the
    /// breaker. Answers the host's targets, whose waiting deliveries should move to `until`.
    mutating func hold(_ delivery: Delivery, until: Date, now: Date) -> [String] {
        let channel = delivery.channel
        let host = hostName(channel, delivery.target)
        holds[channel] = (holds[channel] ?? [:]).filter { $0.value > now }
        holds[channel, default: [:]][host] = max(until, holds[channel]?[host] ?? until)
        return Array(targetsByHost[channel]?[host] ?? [delivery.target])
    }

    mutating func admit(_ delivery: Delivery, now: Date) -> Verdict {
        let channel = delivery.channel
        let host = hostName(channel, delivery.target)
        targetsByHost[channel, default: [:]][host, default: []].insert(delivery.target)
        // Due again at once: the next claim skips the target while it is at its cap, and takes it
        // as soon as a slot is free.
        guard capacity(channel) > 0, inFlightByTarget[channel]?[delivery.target] ?? 0 < cap(channel, delivery.target) else {
            return .wait(until: now)
        }
        if let slot = pacedUntil(channel, now: now) { return .wait(until: slot) }
        if let until = holds[channel]?[host], until > now { return .wait(until: until) }
        if var breaker = breakers[channel]?[host] {
            guard breaker.admit(now: now) else { return .wait(until: breaker.retryAt(now: now)) }
            breakers[channel, default: [:]][host] = breaker
        }
        if let interval = limits[channel]?.interval {
            nextSlot[channel] = now.addingTimeInterval(interval)
        }
        inFlight[channel, default: 0] += 1
        inFlightByTarget[channel, default: [:]][delivery.target, default: 0] += 1
        return .start
    }

    /// A send has ended; `host` is what its adapter learned of the receiving host. Answers the
    /// host's targets and the time to try again when this answer opened its breaker.
    @discardableResult
    mutating func finish(_ delivery: Delivery, host health: HostHealth, took: TimeInterval? = nil, now: Date) -> (targets: [String], until: Date)? {
        let channel = delivery.channel
        inFlight[channel, default: 1] -= 1
        let remaining = (inFlightByTarget[channel]?[delivery.target] ?? 1) - 1
        inFlightByTarget[channel, default: [:]][delivery.target] = remaining > 0 ? remaining : nil
        if health != .unknown { earn(channel, delivery.target, fast: health == .healthy && (took ?? .infinity) < Allowance.fastAnswer) }
        let failure: Bool
        switch health {
        case .healthy: failure = false
        case .unhealthy: failure = true
        case .unknown: return nil
        }
        guard let settings = limits[channel]?.breaker else { return nil }
        let host = hostName(channel, delivery.target)
        var breaker = breakers[channel]?[host] ?? CircuitBreaker(settings: settings)
        let wasOpen = if case .open = breaker.state { true } else { false }
        breaker.record(failure: failure, now: now)
        // A healthy host needs no entry; only hosts that failed lately are remembered.
        if breaker.state == .closed(failures: 0) {
            breakers[channel]?[host] = nil
            targetsByHost[channel]?[host] = nil
        } else {
            breakers[channel, default: [:]][host] = breaker
        }
        // Only the answer that opened it: sends still in flight that fail later change nothing.
        guard case .open = breaker.state, !wasOpen else { return nil }
        return (Array(targetsByHost[channel]?[host] ?? []), breaker.retryAt(now: now))
    }

    /// Moves the target's allowance by what its answer showed; only raised allowances are kept.
    private mutating func earn(_ channel: ChannelKind, _ target: String, fast: Bool) {
        guard let limits = limits[channel], let ceiling = limits.ceiling, ceiling > limits.perTarget else { return }
        var allowance = allowances[channel]?[target] ?? Allowance(floor: limits.perTarget, ceiling: ceiling)
        allowance.record(fast: fast)
        allowances[channel, default: [:]][target] = allowance.isRaised ? allowance : nil
    }

    /// Open or held hosts whose waiting deliveries should be moved to the probe time or the end of
    /// the hold (new ones keep arriving meanwhile), at most once a second per channel.
    mutating func hostsToPostpone(_ channel: ChannelKind, now: Date) -> [(targets: [String], until: Date)] {
        guard now.timeIntervalSince(lastPostponed[channel] ?? .distantPast) >= 1 else { return [] }
        lastPostponed[channel] = now
        let open: [(targets: [String], until: Date)] = (breakers[channel] ?? [:]).compactMap { host, breaker in
            guard breaker.isOpen else { return nil }
            let until = breaker.retryAt(now: now)
            return until > now ? (Array(targetsByHost[channel]?[host] ?? []), until) : nil
        }
        let held: [(targets: [String], until: Date)] = (holds[channel] ?? [:]).compactMap { host, until in
            until > now ? (Array(targetsByHost[channel]?[host] ?? []), until) : nil
        }
        return open + held
    }

    /// When a send to this delivery's host may go again, if its breaker is open now.
    func heldUntil(_ delivery: Delivery, now: Date) -> Date? {
        guard breakers[delivery.channel]?.isEmpty == false else { return nil }
        let host = hostNames[delivery.target] ?? Self.host(channel: delivery.channel, target: delivery.target)
        guard let breaker = breakers[delivery.channel]?[host], breaker.isOpen else { return nil }
        return breaker.retryAt(now: now)
    }

    /// Hosts whose breaker is open or probing, with the targets seen behind each.
    func openBreakers(now: Date) -> [OpenBreaker] {
        breakers.flatMap { channel, byHost in
            byHost.compactMap { host, breaker -> OpenBreaker? in
                guard breaker.isOpen else { return nil }
                return OpenBreaker(
                    channel: channel, host: host, retryAt: breaker.retryAt(now: now), targets: Array(targetsByHost[channel]?[host] ?? [])
                )
            }
        }.sorted { ($0.channel.rawValue, $0.host) < ($1.channel.rawValue, $1.host) }
    }

    /// How many breakers stand open and how many are probing, for the metrics.
    var breakerCounts: (open: Int, halfOpen: Int) {
        breakers.values.flatMap(\.values).reduce(into: (0, 0)) { counts, breaker in
            switch breaker.state {
            case .open: counts.0 += 1
            case .halfOpen: counts.1 += 1
            case .closed: break
            }
        }
    }
}
