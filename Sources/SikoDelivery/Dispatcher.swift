import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import SikoChannels
import SikoModel
import SikoStore
import Synchronization

/// Sends what is due: claims deliveries under a lease, hands each to its channel, and records the
/// attempt and the delivery's next state. At most `maxInFlight` sends run at once; it claims only
/// what it can start, so nothing waits in memory that a crash could lose.
public final class Dispatcher: Service {
    public struct Configuration: Sendable {
        /// Names this process's leases.
        public var owner: String
        public var maxInFlight: Int
        public var batchSize: Int
        /// How long an idle dispatcher sleeps before looking again without a signal.
        public var idlePoll: Duration
        /// Added to the longest channel timeout to make a lease.
        public var leaseMargin: Duration

        public init(owner: String = Identifier.make("wrk"), maxInFlight: Int = 256, batchSize: Int = 128, idlePoll: Duration = .seconds(1), leaseMargin: Duration = .seconds(60)) {
            self.owner = owner
            self.maxInFlight = maxInFlight
            self.batchSize = batchSize
            self.idlePoll = idlePoll
            self.leaseMargin = leaseMargin
        }
    }

    public let wake = WakeSignal()
    private let store: any Store
    private let routes: Mutex<[ChannelKind: ChannelRoute]>
    private let configuration: Configuration
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: DeliveryMetrics
    private let onSubscriptionDisabled: @Sendable (String) async -> Void
    private let inFlight = Mutex(0)
    private let stopping = Atomic<Bool>(false)

    public init(
        store: any Store, routes: [ChannelKind: ChannelRoute], configuration: Configuration = Configuration(),
        clock: any WallClock = SystemClock(), logger: Logger, metrics: any MetricsFactory,
        onSubscriptionDisabled: @escaping @Sendable (String) async -> Void = { _ in }
    ) {
        self.store = store
        self.routes = Mutex(routes)
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.metrics = DeliveryMetrics(factory: metrics, channels: ChannelKind.allCases)
        self.onSubscriptionDisabled = onSubscriptionDisabled
    }

    /// Puts channels rebuilt from a reloaded `Channels/` in force for every send that starts from now on.
    public func replace(routes: [ChannelKind: ChannelRoute]) {
        self.routes.withLock { $0 = routes }
    }

    private var leaseDuration: Duration {
        (routes.withLock { $0.values.map(\.timeout).max() } ?? .seconds(30)) + configuration.leaseMargin
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await self.loop(group: &group)
            }
            logger.info("dispatcher stopped", metadata: ["owner": "\(configuration.owner)"])
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wake.signal()
        }
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) || Task.isCancelled }

    private func loop(group: inout DiscardingTaskGroup) async {
        // Under load, wait until a few slots are free, so one claim transaction serves many sends.
        let claimThreshold = max(1, min(configuration.batchSize, configuration.maxInFlight) / 8)
        while !isStopping {
            let busy = inFlight.withLock { $0 }
            let capacity = configuration.maxInFlight - busy
            guard capacity >= claimThreshold || (busy == 0 && capacity > 0) else {
                await wake.wait(timeout: configuration.idlePoll)
                continue
            }
            let jobs: [DeliveryJob]
            let now = clock.now()
            do {
                jobs = try await store.claim(
                    limit: min(capacity, configuration.batchSize), owner: configuration.owner, now: now,
                    leaseUntil: now.addingTimeInterval(leaseDuration.timeInterval)
                )
            } catch {
                logger.error("claiming deliveries failed; trying again", metadata: ["error": "\(error)"])
                await wake.wait(timeout: configuration.idlePoll)
                continue
            }
            for job in jobs {
                inFlight.withLock { $0 += 1 }
                group.addTask {
                    await self.process(job)
                    self.inFlight.withLock { $0 -= 1 }
                    self.wake.signal()
                }
            }
            if jobs.count < min(capacity, configuration.batchSize) {
                await wake.wait(timeout: await idleWait())
            }
        }
    }

    /// Until the next delivery falls due, but never longer than the idle poll.
    private func idleWait() async -> Duration {
        guard let due = try? await store.nextDueTime() else { return configuration.idlePoll }
        let wait = due.timeIntervalSince(clock.now())
        guard wait > 0 else { return .milliseconds(1) }
        return min(configuration.idlePoll, .milliseconds(Int64(wait * 1000) + 1))
    }

    /// Sends one delivery and records the outcome. Never throws: a failure to record is logged and
    /// the lease's expiry brings the delivery back.
    func process(_ job: DeliveryJob) async {
        let delivery = job.delivery
        let started = clock.now()
        let report: SendReport
        let transition: DeliveryTransition
        if let expiresAt = job.event.expiresAt, expiresAt <= started {
            report = SendReport(.permanent(reason: "expired"))
            transition = .expired(at: expiresAt, lastError: delivery.lastError)
        } else {
            let schedule: RetrySchedule
            if let route = routes.withLock({ $0[delivery.channel] }) {
                report = await route.channel.send(job)
                schedule = route.retrySchedule
            } else {
                report = SendReport(.permanent(reason: "channel \(delivery.channel.rawValue) is not configured"))
                schedule = RetrySchedule(delays: [])
            }
            transition = DeliveryTransition.after(
                report.outcome, attempt: delivery.attempts, schedule: schedule, now: clock.now(), expiresAt: job.event.expiresAt,
                jitter: Double.random(in: -1...1)
            )
        }
        let finished = clock.now()
        let attempt = Attempt(
            deliveryId: delivery.id, number: delivery.attempts, startedAt: started, finishedAt: finished,
            status: transition.status, responseCode: report.responseCode, error: transition.lastError
        )
        metrics.record(channel: delivery.channel, status: transition.status, duration: .milliseconds(Int64(finished.timeIntervalSince(started) * 1000)))
        do {
            try await store.complete([AttemptResult(owner: configuration.owner, subscriptionId: delivery.subscriptionId, attempt: attempt, transition: transition)])
        } catch {
            logger.error("recording an attempt failed; the lease will expire and the delivery be tried again", metadata: [
                "delivery": "\(delivery.id)", "error": "\(error)",
            ])
            return
        }
        if transition.status != .delivered && transition.status != .sent && transition.status != .suppressed {
            logger.info("delivery attempt failed", metadata: [
                "delivery": "\(delivery.id)", "attempt": "\(delivery.attempts)", "status": "\(transition.status.rawValue)",
                "reason": "\(transition.lastError ?? "")",
            ])
        }
        if transition.disablesSubscription {
            logger.warning("subscription disabled by its receiver", metadata: ["subscription": "\(delivery.subscriptionId)"])
            await onSubscriptionDisabled(delivery.subscriptionId)
        }
    }
}
