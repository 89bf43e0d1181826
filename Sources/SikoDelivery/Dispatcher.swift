import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import SikoChannels
import SikoModel
import Synchronization

/// Sends what is due: claims deliveries under a lease, hands each to its channel, and records the
/// attempt and the delivery's next state. Each channel has its own budget, each target a cap and
/// each receiving host a circuit breaker (`Admission`), so a slow or dead receiver holds up only
/// itself. It claims only what it can start, so nothing waits in memory that a crash could lose.
public final class Dispatcher: Service {
    public struct Configuration: Sendable {
        /// Names this process's leases.
        public var owner: String
        public var batchSize: Int
        /// How long an idle dispatcher sleeps before looking again without a signal.
        public var idlePoll: Duration
        /// Added to the longest channel timeout to make a lease.
        public var leaseMargin: Duration
        /// On SIGTERM, how long sends in flight may take to finish before they are cancelled and
        /// given back unsent.
        public var drainTimeout: Duration

        public init(
            owner: String = Identifier.make("wrk"), batchSize: Int = 128, idlePoll: Duration = .seconds(1),
            leaseMargin: Duration = .seconds(60), drainTimeout: Duration = .seconds(15)
        ) {
            self.owner = owner
            self.batchSize = batchSize
            self.idlePoll = idlePoll
            self.leaseMargin = leaseMargin
            self.drainTimeout = drainTimeout
        }
    }

    public let wake = WakeSignal()
    /// The queue, and the subscriptions the dispatcher disables when their receivers say so.
    let store: any DeliveryQueue & SubscriptionStore
    let routes: Mutex<[ChannelKind: ChannelRoute]>
    let configuration: Configuration
    let clock: any WallClock
    let logger: Logger
    private let metrics: DeliveryMetrics
    /// Told the subscription id and the reason whenever the dispatcher disables a subscription.
    private let onSubscriptionDisabled: @Sendable (String, String) async -> Void
    let admission: Mutex<Admission>
    let stopping = Atomic<Bool>(false)
    /// True while the loop runs, so handoffs go only to a dispatcher that will start them.
    let running = Atomic<Bool>(false)
    /// The live gateways sharing the store's limits (`share(among:)`); 1 on a store of its own.
    /// Held while routes and limits change, so a reload and a new count never undo each other.
    let sharedBy = Mutex<Int>(1)
    /// The deliveries whose sends run (from start to recording), whose leases are renewed.
    let inFlight = Mutex<Set<String>>([])
    /// Handed-off jobs the loop has yet to start; their slots are taken.
    let inbox = Mutex<[DeliveryJob]>([])
    /// Channels whose last claim was full: more is due in the store, and it goes before new
    /// deliveries, so those are not handed off meanwhile.
    let backlogged = Mutex<Set<ChannelKind>>([])

    public init(
        store: any DeliveryQueue & SubscriptionStore, routes: [ChannelKind: ChannelRoute], configuration: Configuration = Configuration(),
        clock: any WallClock = SystemClock(), logger: Logger, metrics: any MetricsFactory,
        onSubscriptionDisabled: @escaping @Sendable (String, String) async -> Void = { _, _ in }
    ) {
        self.store = store
        self.routes = Mutex(routes)
        self.admission = Mutex(Admission(limits: routes.mapValues { $0.limits(sharedBy: 1) }))
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.metrics = DeliveryMetrics(factory: metrics, channels: ChannelKind.allCases)
        self.onSubscriptionDisabled = onSubscriptionDisabled
    }

    /// The name of this process's leases, which other gateways on a shared store know it by.
    public var owner: String { configuration.owner }

    /// Receiving hosts this process holds back now, for people watching the gateway.
    public func openBreakers() -> [OpenBreaker] {
        let now = clock.now()
        return admission.withLock { $0.openBreakers(now: now) }
    }

    /// Puts channels rebuilt from a reloaded `Channels/` in force for every send that starts from now on.
    public func replace(routes: [ChannelKind: ChannelRoute]) {
        sharedBy.withLock { gateways in
            self.routes.withLock { $0 = routes }
            admission.withLock { $0.limits = routes.mapValues { $0.limits(sharedBy: gateways) } }
        }
    }

    /// Takes this gateway's part of the installation's caps per target and channel paces, while
    /// `gateways` live gateways (this one among them) send from one store.
    public func share(among gateways: Int) {
        sharedBy.withLock { shared in
            shared = max(1, gateways)
            let routes = self.routes.withLock { $0 }
            admission.withLock { [shared] in $0.limits = routes.mapValues { $0.limits(sharedBy: shared) } }
        }
    }

    var leaseDuration: Duration {
        (routes.withLock { $0.values.map(\.timeout).max() } ?? .seconds(30)) + configuration.leaseMargin
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            // Through the drain too: the sends that finish then still hold their leases.
            let renewing = Task { await self.renewLeases() }
            defer { renewing.cancel() }
            await withDiscardingTaskGroup { group in
                running.store(true, ordering: .relaxed)
                await self.loop(group: &group)
                running.store(false, ordering: .relaxed)
                if await !self.drain(group: &group) {
                    logger.warning("sends still in flight after the drain timeout; cancelling them", metadata: [
                        "inFlight": "\(self.admission.withLock(\.totalBusy))",
                    ])
                    group.cancelAll()
                }
            }
            // Cancelled sends were not recorded: give them back, due at once, their claim not counted.
            do {
                let released = try await store.releaseLeases(owner: configuration.owner, at: clock.now())
                if released > 0 { logger.notice("gave back unfinished sends", metadata: ["count": "\(released)"]) }
            } catch {
                logger.error("giving back unfinished sends failed; their leases will expire", metadata: ["error": "\(error)"])
            }
            logger.info("dispatcher stopped", metadata: ["owner": "\(configuration.owner)"])
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wake.signal()
        }
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) || Task.isCancelled }

    private func loop(group: inout DiscardingTaskGroup) async {
        // Paced channels whose last claim was full: more is due once their next slot comes.
        var pacedBacklog: Set<ChannelKind> = []
        // Channels whose store may hold due work no claim has seen. A claim that finds nothing
        // and skips no target proves there is none; a new event, a retry request or the idle
        // poll may bring some.
        var stale = Set(ChannelKind.allCases)
        var nextPoll = ContinuousClock.now
        while !isStopping {
            startHanded(group: &group)
            var again = false
            var claimed = false
            var pacedWake: Date?
            for (channel, route) in routes.withLock({ $0 }).sorted(by: { $0.key.rawValue < $1.key.rawValue }) where stale.contains(channel) {
                let now = clock.now()
                let (capacity, busy, paced, pacedUntil) = admission.withLock {
                    ($0.capacity(channel), $0.busy(channel), $0.paced(channel, now: now), $0.pacedUntil(channel, now: now))
                }
                // Under load, wait until a few slots are free, so one claim transaction serves many sends.
                let threshold = max(1, min(configuration.batchSize, route.concurrency) / 8)
                guard capacity >= threshold || (busy == 0 && capacity > 0) else { continue }
                // A paced channel claims only what may start now, so no send waits for its slot under a lease.
                guard paced > 0 else {
                    if pacedBacklog.contains(channel), let pacedUntil { pacedWake = min(pacedWake ?? pacedUntil, pacedUntil) }
                    continue
                }
                let limit = min(capacity, configuration.batchSize, paced)
                let outcome = await claimAndStart(channel: channel, limit: limit, perTarget: admission.withLock { $0.perTarget(channel) }, group: &group)
                claimed = true
                let full = outcome.started == limit
                if full { again = true } else if outcome.exhausted { stale.remove(channel) }
                backlogged.withLock { if full { $0.insert(channel) } else { $0.remove(channel) } }
                if paced != .max {
                    if full { pacedBacklog.insert(channel) } else { pacedBacklog.remove(channel) }
                }
            }
            if again { continue }
            if claimed {
                var wait = await idleWait()
                if let pacedWake { wait = min(wait, .milliseconds(max(1, Int64(pacedWake.timeIntervalSince(clock.now()) * 1000) + 1))) }
                nextPoll = .now + wait
            }
            let reasons = await wake.wait(timeout: max(.milliseconds(1), nextPoll - .now))
            // A timeout is the idle poll: look at every channel again.
            if reasons.isEmpty || reasons.contains(.store) { stale = Set(ChannelKind.allCases) }
        }
    }

    /// What one claim did: how many sends it started, and whether it saw the store empty of due
    /// work for the channel (nothing claimed, no target skipped).
    struct ClaimOutcome {
        var started: Int
        var exhausted: Bool
    }

    /// Claims for one channel and starts what admission allows; gives the rest back. Answers how
    /// many were started.
    private func claimAndStart(channel: ChannelKind, limit: Int, perTarget: Int, group: inout DiscardingTaskGroup) async -> ClaimOutcome {
        let now = clock.now()
        for (targets, until) in admission.withLock({ $0.hostsToPostpone(channel, now: now) }) {
            _ = try? await store.postpone(channel: channel, targets: targets, until: until)
        }
        let jobs: [DeliveryJob]
        let (excluded, free) = admission.withLock { ($0.excludedTargets(channel, now: now), $0.freeSlots(channel)) }
        do {
            jobs = try await store.claim(ClaimRequest(
                channel: channel, limit: limit, perTarget: perTarget, excludingTargets: excluded, freeSlots: free,
                owner: configuration.owner, now: now, leaseUntil: now.addingTimeInterval(leaseDuration.timeInterval)
            ))
        } catch {
            logger.error("claiming deliveries failed; trying again", metadata: ["error": "\(error)"])
            return ClaimOutcome(started: 0, exhausted: false)
        }
        var held: [Date: [String]] = [:]
        var started = 0
        for job in jobs {
            switch admission.withLock({ $0.admit(job.delivery, now: now) }) {
            case .start:
                started += 1
                start(job, group: &group)
            case .wait(let until):
                held[until, default: []].append(job.delivery.id)
            }
        }
        for (until, ids) in held {
            metrics.held(channel: channel, count: ids.count)
            do { try await store.release(ids, owner: configuration.owner, until: until) } catch {
                logger.error("giving back held deliveries failed; their leases will expire", metadata: ["error": "\(error)"])
            }
        }
        return ClaimOutcome(started: started, exhausted: jobs.isEmpty && excluded.isEmpty)
    }

    func start(_ job: DeliveryJob, group: inout DiscardingTaskGroup) {
        let id = job.delivery.id
        inFlight.withLock { _ = $0.insert(id) }
        group.addTask {
            await self.process(job)
            self.inFlight.withLock { _ = $0.remove(id) }
            self.wake.signal(.slot)
        }
    }

    /// Waits until every send in flight has finished (handed-off jobs still arriving are started),
    /// or the drain timeout has passed (false).
    private func drain(group: inout DiscardingTaskGroup) async -> Bool {
        let deadline = ContinuousClock.now + configuration.drainTimeout
        while admission.withLock(\.totalBusy) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            startHanded(group: &group)
            _ = await wake.wait(timeout: .milliseconds(100))
        }
        return true
    }

    /// After a round that could not fill its claims: what is due now is held back (a target at its
    /// cap, a host behind its breaker, a channel at its budget), so wait for a send to finish (the
    /// wake signal) rather than ask again at once.
    private func idleWait() async -> Duration {
        guard let due = try? await store.nextDueTime() else { return configuration.idlePoll }
        let wait = due.timeIntervalSince(clock.now())
        guard wait > 0 else { return configuration.idlePoll }
        return min(configuration.idlePoll, .milliseconds(Int64(wait * 1000) + 1))
    }

    /// Sends one delivery and records the outcome, in steps: plan, send, settle admission, record,
    /// follow up. Never throws: a failure to record is logged and the lease's expiry brings the
    /// delivery back.
    func process(_ job: DeliveryJob) async {
        let delivery = job.delivery
        let started = clock.now()
        let result: SendResult
        switch SendPlan(job, route: routes.withLock { $0[delivery.channel] }, now: started) {
        case .skip(let skipped): result = skipped
        case .send(let route): result = route.result(of: await route.send(job), for: job, now: clock.now(), jitter: .random(in: -1...1))
        }
        let finished = clock.now()
        // Cancelled by a shutdown past its drain timeout: not recorded, given back unsent.
        if Task.isCancelled {
            admission.withLock { _ = $0.finish(delivery, host: .unknown, now: finished) }
            return
        }
        let transition = result.transition.holding(until: await settle(delivery, result.report, took: finished.timeIntervalSince(started), now: finished))
        guard await record(job, result.report, transition, started: started, finished: finished) else { return }
        await followUp(FollowUp(result, transition: transition), for: delivery, now: finished)
    }

    /// Ends the send in admission and moves what waits for its host; answers when the host may be
    /// tried again, while its breaker is open.
    private func settle(_ delivery: Delivery, _ report: SendReport, took: TimeInterval, now: Date) async -> Date? {
        let settlement = admission.withLock { $0.settle(delivery, report, took: took, now: now) }
        if let opened = settlement.opened {
            logger.warning("circuit breaker open: holding back sends to the host", metadata: [
                "channel": "\(delivery.channel.rawValue)", "until": "\(JSONCoding.format(opened.until))",
            ])
        }
        for postponement in settlement.postponements {
            _ = try? await store.postpone(channel: delivery.channel, targets: postponement.targets, until: postponement.until)
        }
        metrics.breakers(settlement.breakerCounts)
        return settlement.heldUntil
    }

    /// Records the attempt and the delivery's new state; false when that failed (the lease's
    /// expiry brings the delivery back).
    private func record(_ job: DeliveryJob, _ report: SendReport, _ transition: DeliveryTransition, started: Date, finished: Date) async -> Bool {
        let delivery = job.delivery
        let attempt = Attempt(
            deliveryId: delivery.id, number: delivery.attempts, startedAt: started, finishedAt: finished,
            status: transition.status, responseCode: report.responseCode, error: transition.lastError
        )
        metrics.record(channel: delivery.channel, status: transition.status, duration: .milliseconds(Int64(finished.timeIntervalSince(started) * 1000)))
        do {
            let audit = transition.disablesSubscription ? Self.disabling(delivery, reason: transition.lastError ?? Self.goneReason, at: finished) : nil
            try await store.complete([AttemptResult(
                owner: configuration.owner, subscriptionId: delivery.subscriptionId, attempt: attempt, transition: transition, audit: audit
            )])
        } catch {
            logger.error("recording an attempt failed; the lease will expire and the delivery be tried again", metadata: [
                "delivery": "\(delivery.id)", "error": "\(error)",
            ])
            return false
        }
        if transition.status != .delivered && transition.status != .sent && transition.status != .suppressed {
            logger.info("delivery attempt failed", metadata: [
                "delivery": "\(delivery.id)", "attempt": "\(delivery.attempts)", "status": "\(transition.status.rawValue)",
                "reason": "\(transition.lastError ?? "")",
            ])
        }
        return true
    }

    private func followUp(_ followUp: FollowUp, for delivery: Delivery, now: Date) async {
        switch followUp {
        case .none: break
        case .disable(let reason):
            logger.warning("subscription disabled by its receiver", metadata: ["subscription": "\(delivery.subscriptionId)"])
            metrics.disabled(reason: "gone")
            await onSubscriptionDisabled(delivery.subscriptionId, reason)
        case .disableIfFailing(let period, let reason):
            await disableIfFailing(delivery, reason: reason, for: period, now: now)
        }
    }

    /// A subscription failing without a single success for `period` is disabled, so its partner
    /// sees why (`disabledReason`) instead of deliveries dying one by one.
    private func disableIfFailing(_ delivery: Delivery, reason: String, for period: Duration, now: Date) async {
        do {
            guard try await store.disableIfFailing(
                subscriptionID: delivery.subscriptionId, since: now.addingTimeInterval(-period.timeInterval), reason: reason, at: now,
                audit: Self.disabling(delivery, reason: reason, at: now)
            ) else { return }
        } catch {
            logger.error("checking a failing subscription failed", metadata: ["subscription": "\(delivery.subscriptionId)", "error": "\(error)"])
            return
        }
        logger.warning("subscription disabled: failing without pause", metadata: [
            "subscription": "\(delivery.subscriptionId)", "partner": "\(delivery.partner)", "days": "\(FollowUp.days(period))",
        ])
        metrics.disabled(reason: "failing")
        await onSubscriptionDisabled(delivery.subscriptionId, reason)
    }

    static let goneReason = "the receiver answered 410 Gone"

    /// The gateway's own entry for disabling a delivery's subscription, written with the change.
    static func disabling(_ delivery: Delivery, reason: String, at date: Date) -> AuditRecord {
        AuditRecord(at: date, partner: delivery.partner, actor: "system", action: .subscriptionDisable, object: delivery.subscriptionId, detail: reason)
    }
}
