import Foundation
import Logging
import ServiceLifecycle
import SikoModel

/// Removes personal data past its age: once at start, then daily. `siko purge` runs the same.
public struct Retention: Sendable {
    public static let defaultAge: Duration = .seconds(90 * 86_400)
    /// What a failed checkpoint after a purge means for the operator.
    public static let checkpointWarning = "the WAL checkpoint failed; removed texts may remain in siko.sqlite-wal until the next checkpoint"

    public let age: Duration
    let store: any RetentionStore
    /// Where expired console sessions and old sign-in failures are swept with each run.
    let people: (any SessionStore & UserStore)?
    let clock: any WallClock

    public init(age: Duration, store: any RetentionStore, people: (any SessionStore & UserStore)? = nil, clock: any WallClock) {
        self.age = age
        self.store = store
        self.people = people
        self.clock = clock
    }

    /// Sessions past their expiry or their absolute end, and sign-in failures no throttle reads any more.
    /// Not audited: both are bookkeeping that expired by itself.
    @discardableResult
    public func sweepSessions(lifetime: SessionLifetime = .standard, throttle: SignInThrottle = .standard) async throws -> Int {
        guard let people else { return 0 }
        let now = clock.now()
        try await people.forgetSignInFailures(before: throttle.relevantSince(now))
        return try await people.purgeSessions(expiredBefore: now, createdBefore: now.addingTimeInterval(-lifetime.absolute.timeInterval))
    }

    /// Purges what is older than `age`; the purge is audited (with its counts), in its own
    /// transaction, when it removed anything.
    @discardableResult
    public func purge(by identity: Identity = .system) async throws -> PurgeCounts {
        try identity.require(.admin)
        let now = clock.now()
        let cutoff = now.addingTimeInterval(-age.timeInterval)
        return try await store.purge(before: cutoff, at: now) { counts in
            identity.auditRecord(
                .dataPurge, object: "before " + JSONCoding.format(cutoff),
                detail: "events \(counts.events), deliveries \(counts.deliveries), subscriptions \(counts.subscriptions)", at: now
            )
        }
    }
}
/// Runs `Retention` at start and every `interval` while the gateway serves.
public struct RetentionService: Service {
    let retention: Retention
    let interval: Duration
    let logger: Logger

    public init(retention: Retention, interval: Duration = .seconds(86_400), logger: Logger) {
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled {
            do {
                let counts = try await retention.purge()
                logger.info("retention purge", metadata: [
                    "events": "\(counts.events)", "deliveries": "\(counts.deliveries)", "subscriptions": "\(counts.subscriptions)",
                ])
                if let failure = counts.checkpointFailure {
                    logger.error("retention purge: \(Retention.checkpointWarning)", metadata: ["error": "\(failure)"])
                }
            } catch {
                logger.error("retention purge failed; retried at the next run", metadata: ["error": "\(error)"])
            }
            do {
                try await retention.sweepSessions()
            } catch {
                logger.error("removing expired sessions failed; retried at the next run", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
