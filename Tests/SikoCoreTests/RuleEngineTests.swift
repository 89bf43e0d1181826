import Foundation
import SikoModel
import SikoTestSupport
import Testing
@testable import SikoCore

@Suite("Rule engine memory")
struct RuleEngineMemoryTests {
    @Test("an event that was not stored after all is forgotten: its copy is no duplicate and its sends free their budget")
    func forgetUnstoredEvent() {
        let policies = Policies(duplicateWindow: .seconds(1800), floodLimits: [.sms: FloodLimit(channel: .sms, max: 1, per: .seconds(3600))])
        let sms = subscription(id: "sub_sms", areas: ["essen"], channel: .sms, target: "+4917012345678")
        let engine = RuleEngine(rules: RuleSet(reference: Repository.reference, policies: policies), subscriptions: [sms])
        let now = utc("2026-11-25T10:00:00Z")
        let lost = event(at: now)
        let plan = engine.plan(lost, now: now)
        #expect(plan.decisions.map(\.rule) == [nil])
        #expect(engine.plan(event(at: now), now: now).decisions.map(\.rule) == [.duplicate], "remembered")
        engine.forget(lost, plan)
        let retry = engine.plan(event(at: now), now: now)
        #expect(retry.decisions.map(\.rule) == [nil], "the publisher's retry after a failed store goes out")
        #expect(engine.plan(event(title: "Andere Lage", at: now), now: now).decisions.map(\.rule) == [.floodLimit], "the retry's SMS counts")
    }
}
