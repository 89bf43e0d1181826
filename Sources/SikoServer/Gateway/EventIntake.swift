import CoreMetrics
import Foundation
import SikoDelivery
import SikoModel
import SikoStore

/// The path of an event from a publisher to the outbox: validate, authorize (jurisdiction), match,
/// apply the policies, store the event and every planned delivery in one transaction, wake the dispatcher.
public struct EventIntake: Sendable {
    let engine: RuleEngine
    let store: any Store
    let planner: DeliveryPlanner
    let wake: WakeSignal
    let clock: any WallClock
    let accepted: Counter
    let decisions: PolicyMetrics

    public typealias Failure = RuleEngine.Refusal

    public func publish(_ submission: EventSubmission, idempotencyKey: String?, by identity: Identity) async throws -> PublishResult {
        let now = clock.now()
        let event = try engine.admit(submission, publisher: identity.partner, now: now)
        let plan = engine.plan(event, now: now)
        let deliveries = planner.plan(event, for: plan.matches, decisions: plan.decisions, now: now)
        let result: PublishResult
        do {
            let audit = identity.auditRecord(
                .eventPublish, object: event.id, detail: "\(event.topic), \(event.urgency.rawValue), \(deliveries.count) deliveries", at: now
            )
            result = try await store.publish(PublishRequest(event: event, idempotencyKey: idempotencyKey, deliveries: deliveries, audit: audit))
        } catch {
            engine.forget(event, plan)
            throw error
        }
        if result.duplicate {
            engine.forget(event, plan)
        } else {
            accepted.increment()
            decisions.record(deliveries, now: now)
            if deliveries.contains(where: { $0.status == .pending }) { wake.signal() }
        }
        return result
    }

    /// What publishing would do, subscription by subscription; stores and sends nothing.
    public func explain(_ submission: EventSubmission, by identity: Identity) throws(Failure) -> Explanation {
        let now = clock.now()
        return engine.explain(try engine.admit(submission, publisher: identity.partner, now: now), now: now)
    }
}
