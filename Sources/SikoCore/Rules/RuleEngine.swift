import Foundation
import SikoModel
import Synchronization

/// The live rules: reference data, the matching index and the policies with what they remember.
/// One lock covers all of it, so a reload swaps them together and two events never race past the
/// same duplicate window or flood limit.
public final class RuleEngine: Sendable {
    private struct State {
        var index: SubscriptionIndex
        var policies: PolicyEngine
        var memory = PolicyMemory()
        var lastForgotten = Date.distantPast
    }

    /// The subscriptions an event matched and what the policies decided for each, in the same order.
    public struct Plan: Sendable {
        public var matches: [SubscriptionIndex.Entry]
        public var decisions: [PolicyDecision]
    }

    private let state: Mutex<State>

    public init(rules: RuleSet, subscriptions: [Subscription]) {
        state = Mutex(State(
            index: SubscriptionIndex(reference: rules.reference, subscriptions: subscriptions), policies: PolicyEngine(policies: rules.policies)
        ))
    }

    /// An engine on the store's subscriptions, remembering what the store saw within the duplicate
    /// window and the flood limits' periods, so a restart neither repeats a duplicate nor resets a limit.
    public static func load(rules: RuleSet, store: any SubscriptionStore & EventStore & DeliveryLog, now: Date) async throws -> RuleEngine {
        let engine = RuleEngine(rules: rules, subscriptions: try await store.activeSubscriptions())
        var events: [Event] = []
        if let window = rules.policies.duplicateWindow {
            // A test notification never opened a duplicate window (TestNotice), so it opens none after a restart.
            events = try await store.events(publishedSince: now.addingTimeInterval(-window.timeInterval)).filter { !$0.test }
        }
        var sends: [(channel: ChannelKind, target: String, at: Date)] = []
        for (channel, limit) in rules.policies.floodLimits {
            sends += try await store.sends(channel: channel, since: now.addingTimeInterval(-limit.per.timeInterval))
                .map { (channel, $0.target, $0.at) }
        }
        engine.remember(events: events, sends: sends)
        return engine
    }

    public var rules: RuleSet { state.withLock { RuleSet(reference: $0.index.reference, policies: $0.policies.policies) } }
    public var reference: ReferenceData { state.withLock { $0.index.reference } }
    public var count: Int { state.withLock { $0.index.count } }

    public enum Refusal: Error, Equatable {
        case invalid(ValidationFailure)
        case outsideJurisdiction(partner: String, areas: [String])
    }

    /// Validates a submission and checks the publisher's jurisdiction under the rules in force.
    public func admit(_ submission: EventSubmission, publisher: String, now: Date) throws(Refusal) -> Event {
        let reference = reference
        let event: Event
        switch EventValidator(reference: reference).validate(submission, publisher: publisher, id: Identifier.make("evt", at: now), now: now) {
        case .success(let value): event = value
        case .failure(let failure): throw .invalid(failure)
        }
        let outside = event.areas.filter { !reference.mayPublish(partner: publisher, into: $0) }
        guard outside.isEmpty else { throw .outsideJurisdiction(partner: publisher, areas: outside) }
        return event
    }

    /// Matches and decides, remembering the event and its sends for later duplicates and flood limits.
    public func plan(_ event: Event, now: Date) -> Plan {
        state.withLock { state in
            let matches = state.index.match(event)
            let decisions = state.policies.decide(event, for: matches, now: now, memory: &state.memory)
            if now.timeIntervalSince(state.lastForgotten) > 60 {
                state.memory.sends.forget(before: state.policies.policies.floodLimits.mapValues { now.addingTimeInterval(-$0.per.timeInterval) })
                state.lastForgotten = now
            }
            return Plan(matches: matches, decisions: decisions)
        }
    }

    /// A correction's deliveries to those of `recipients` that are live now, at their current targets.
    public func plan(correction event: Event, chain: [Event], recipients: [String], now: Date) -> CorrectionPlan {
        state.withLock { state in
            let live = recipients.compactMap(state.index.subscription(id:))
            return CorrectionPlan(event, chain: chain, subscriptions: live, policies: state.policies, now: now)
        }
    }

    /// What a shared store checks of `event` against the other gateways' publishes.
    public func sharedCheck(for event: Event) -> SharedPolicyCheck {
        SharedPolicyCheck(event, policies: state.withLock { $0.policies.policies })
    }

    /// Takes back what `plan` remembered for an event that was not stored after all.
    public func forget(_ event: Event, _ plan: Plan) {
        state.withLock { state in
            state.memory.recentEvents.remove(event)
            for (match, decision) in zip(plan.matches, plan.decisions) {
                guard case .send = decision.action else { continue }
                let subscription = match.subscription
                state.memory.sends.remove(channel: subscription.channel, target: subscription.target, at: event.publishedAt)
            }
        }
    }

    /// The dry run: the same matching and decisions as `plan`, on a copy of the memory. The
    /// explanation itself (one per candidate, sorted) is built outside the lock publishing needs.
    public func explain(_ event: Event, now: Date) -> Explanation {
        let (candidates, matches, decisions, areas) = state.withLock { state in
            var memory = state.memory
            let matches = state.index.match(event)
            let decisions = state.policies.decide(event, for: matches, now: now, memory: &memory)
            return (state.index.candidates(areas: event.areas), matches, decisions, state.index.reference.areas)
        }
        return Explanation(event: event, candidates: candidates, matches: matches, decisions: decisions, areas: areas, now: now)
    }

    /// Seeds the memory with what the store saw recently.
    func remember(events: [Event], sends: [(channel: ChannelKind, target: String, at: Date)]) {
        state.withLock { state in
            if let window = state.policies.policies.duplicateWindow {
                for event in events.sorted(by: { $0.publishedAt < $1.publishedAt }) {
                    _ = state.memory.recentEvents.admit(event, within: window, now: event.publishedAt)
                }
            }
            for send in sends { state.memory.sends.record(channel: send.channel, target: send.target, at: send.at) }
        }
    }

    public func upsert(_ subscription: Subscription) {
        state.withLock { $0.index.upsert(subscription) }
    }

    public func remove(id: String) {
        state.withLock { $0.index.remove(id: id) }
    }

    /// Matches against `subscriptions` from now on: what the store holds after other gateways changed it.
    public func replace(subscriptions: [Subscription]) {
        state.withLock { state in state.index = SubscriptionIndex(reference: state.index.reference, subscriptions: subscriptions) }
    }

    /// Puts new rules in force: the index is rebuilt on the new geography, the memory is kept.
    public func replace(rules: RuleSet) {
        state.withLock { state in
            let subscriptions = state.index.subscriptions
            state.index = SubscriptionIndex(reference: rules.reference, subscriptions: subscriptions)
            state.policies = PolicyEngine(policies: rules.policies)
        }
    }
}
