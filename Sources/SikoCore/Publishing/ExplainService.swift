import Foundation
import SikoModel

/// The dry run: the same validation, jurisdiction, matching and policies as publishing; nothing
/// is stored or sent. Other partners' subscriptions show masked.
public struct ExplainService: Sendable {
    let engine: RuleEngine
    let clock: any WallClock

    public init(engine: RuleEngine, clock: any WallClock) {
        self.engine = engine
        self.clock = clock
    }

    public func explain(_ submission: EventSubmission, by identity: Identity) throws -> Explanation {
        try identity.require(.eventsPublish)
        let now = clock.now()
        return Visibility.explanation(engine.explain(try engine.admit(submission, by: identity, now: now), now: now), for: identity)
    }

    /// The dry run of a bulletin as `identity`'s partner would publish it; the bulletin service
    /// checked its own scopes.
    func audience(of submission: EventSubmission, by identity: Identity) throws(ServiceError) -> Explanation {
        let now = clock.now()
        return Visibility.explanation(engine.explain(try engine.admit(submission, by: identity, now: now), now: now), for: identity)
    }
}

extension RuleEngine {
    /// `admit` for a caller: its partner publishes, and a refusal is a service's.
    func admit(_ submission: EventSubmission, by identity: Identity, now: Date) throws(ServiceError) -> Event {
        do {
            return try admit(submission, publisher: identity.partner, now: now)
        } catch {
            switch error {
            case .invalid(let failure): throw .invalid(failure)
            case .outsideJurisdiction(let partner, let areas): throw .outsideJurisdiction(partner: partner, areas: areas)
            }
        }
    }
}
