import CoreMetrics
import Foundation
import SikoDelivery
import SikoModel
import SikoStore

/// The path of an event from a publisher to the outbox: validate, authorize (jurisdiction), match,
/// plan deliveries, store all in one transaction, wake the dispatcher.
public struct EventIntake: Sendable {
    let reference: ReferenceData
    let store: any Store
    let directory: SubscriptionDirectory
    let planner: DeliveryPlanner
    let wake: WakeSignal
    let clock: any WallClock
    let accepted: Counter

    public enum Failure: Error, Equatable {
        case invalid(ValidationFailure)
        case outsideJurisdiction(partner: String, areas: [String])
    }

    public func publish(_ submission: EventSubmission, idempotencyKey: String?, by identity: Identity) async throws -> PublishResult {
        let now = clock.now()
        let event: Event
        switch EventValidator(reference: reference).validate(submission, publisher: identity.partner, id: Identifier.make("evt", at: now), now: now) {
        case .success(let value): event = value
        case .failure(let failure): throw Failure.invalid(failure)
        }
        let outside = event.areas.filter { !reference.mayPublish(partner: identity.partner, into: $0) }
        guard outside.isEmpty else { throw Failure.outsideJurisdiction(partner: identity.partner, areas: outside) }

        let deliveries = planner.plan(event, for: directory.match(event), now: now)
        let result = try await store.publish(PublishRequest(event: event, idempotencyKey: idempotencyKey, deliveries: deliveries))
        if !result.duplicate {
            accepted.increment()
            if result.deliveries > 0 { wake.signal() }
        }
        return result
    }
}
