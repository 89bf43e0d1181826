import SikoTestSupport
import Foundation
import SikoModel
import Testing

@Suite("Policies: decisions and reasons")
struct PolicyEngineTests {
    let night = utc("2026-11-25T22:30:00Z") // 23:30 in Essen
    let day = utc("2026-11-25T10:00:00Z")
    let sms = subscription(id: "sub_sms", areas: ["essen"], channel: .sms, target: "+4917012345678")
    let mail = subscription(id: "sub_mail", areas: ["essen"], channel: .email, target: "lage@essen.example")
    let hook = subscription(id: "sub_hook", areas: ["essen"], channel: .webhook, target: "https://lage.example/hook")

    @Test("quiet hours defer SMS to 06:00, suppress email and leave webhooks alone")
    func quietHours() {
        let engine = PolicyEngine(policies: Policies(quietHours: [nightRule]))
        let decisions = engine.decide(event(urgency: .medium, at: night), sms, mail, hook)
        #expect(decisions[0].action == .send(at: utc("2026-11-26T05:00:00Z")))
        #expect(decisions[0].rule == .quietHours)
        #expect(decisions[0].reason?.contains("nachtruhe") == true)
        #expect(decisions[1].action == .suppress && decisions[1].rule == .quietHours)
        #expect(decisions[2] == PolicyDecision(action: .send(at: night)))
    }

    @Test("quiet hours hold back only urgencies below the rule's level, only at night, only for the named partners")
    func quietHoursScope() {
        let engine = PolicyEngine(policies: Policies(quietHours: [nightRule]))
        #expect(engine.decide(event(urgency: .high, at: night), sms)[0].action == .send(at: night))
        #expect(engine.decide(event(urgency: .low, at: day), sms)[0].action == .send(at: day))
        var onlyDuisburg = nightRule
        onlyDuisburg.partners = ["stadt-duisburg"]
        #expect(PolicyEngine(policies: Policies(quietHours: [onlyDuisburg])).decide(event(at: night), sms)[0].action == .send(at: night))
        var onlyThis = nightRule
        onlyThis.subscriptions = ["sub_other"]
        #expect(PolicyEngine(policies: Policies(quietHours: [onlyThis])).decide(event(at: night), sms)[0].action == .send(at: night))
    }

    @Test("a delivery deferred past the event's expiry is suppressed as expired, and an expired event sends nothing")
    func expiry() {
        let engine = PolicyEngine(policies: Policies(quietHours: [nightRule]))
        let shortLived = event(at: night, expiresAt: utc("2026-11-26T03:00:00Z"))
        let decision = engine.decide(shortLived, sms)[0]
        #expect(decision.action == .suppress && decision.rule == .expired)
        let hookDecision = engine.decide(shortLived, hook)[0]
        #expect(hookDecision.action == .send(at: night), "the webhook is not quiet, so it goes before the expiry")
        let stale = event(at: night, expiresAt: night)
        #expect(engine.decide(stale, hook).allSatisfy { $0.action == .suppress && $0.rule == .expired })
    }

    @Test("a retry that would fall after the expiry ends the delivery as suppressed (expired)")
    func retryAfterExpiry() {
        let schedule = RetrySchedule(delays: [.zero, .seconds(300)])
        let now = utc("2026-11-25T10:00:00Z")
        let before = DeliveryTransition.after(.retry(after: nil, reason: "HTTP 503"), attempt: 1, schedule: schedule, now: now, expiresAt: now.addingTimeInterval(600))
        #expect(before.status == .failed)
        let after = DeliveryTransition.after(.retry(after: nil, reason: "HTTP 503"), attempt: 1, schedule: schedule, now: now, expiresAt: now.addingTimeInterval(60))
        #expect(after.status == .suppressed && after.rule == .expired)
        #expect(after.lastError?.contains("HTTP 503") == true)
    }

    @Test("the same publisher, topic, areas and title within the window is a duplicate, unless the urgency rose")
    func duplicates() {
        let engine = PolicyEngine(policies: Policies(duplicateWindow: .seconds(1800)))
        var memory = PolicyMemory()
        let first = event(id: "evt_first", urgency: .medium, areas: ["essen", "bottrop"], at: day)
        #expect(engine.decide(first, [hook], memory: &memory)[0].action == .send(at: day))

        let again = event(urgency: .medium, areas: ["bottrop", "essen"], title: "  KONTROLLE Altendorfer Straße ", at: day.addingTimeInterval(600))
        let repeated = engine.decide(again, [hook, sms], memory: &memory)
        #expect(repeated.allSatisfy { $0.action == .suppress && $0.rule == .duplicate })
        #expect(repeated[0].reason?.contains("evt_first") == true)

        let lower = event(urgency: .low, areas: ["essen", "bottrop"], at: day.addingTimeInterval(700))
        #expect(engine.decide(lower, [hook], memory: &memory)[0].rule == .duplicate)

        let otherTitle = event(urgency: .medium, areas: ["essen", "bottrop"], title: "Andere Lage", at: day.addingTimeInterval(800))
        #expect(engine.decide(otherTitle, [hook], memory: &memory)[0].rule == nil)

        let otherPublisher = event(publisher: "bundespolizei", areas: ["essen", "bottrop"], at: day.addingTimeInterval(800))
        #expect(engine.decide(otherPublisher, [hook], memory: &memory)[0].rule == nil)

        let rose = event(id: "evt_rose", urgency: .high, areas: ["essen", "bottrop"], at: day.addingTimeInterval(900))
        #expect(engine.decide(rose, [hook], memory: &memory)[0].rule == nil, "a rise in urgency goes out")
        let afterRise = event(urgency: .high, areas: ["essen", "bottrop"], at: day.addingTimeInterval(1000))
        let decision = engine.decide(afterRise, [hook], memory: &memory)[0]
        #expect(decision.rule == .duplicate && decision.reason?.contains("evt_rose") == true)
    }

    @Test("the duplicate window runs from the event that was sent; a suppressed copy does not extend it")
    func duplicateWindowEdges() {
        let engine = PolicyEngine(policies: Policies(duplicateWindow: .seconds(1800)))
        var memory = PolicyMemory()
        _ = engine.decide(event(at: day), [hook], memory: &memory)
        #expect(engine.decide(event(at: day.addingTimeInterval(1200)), [hook], memory: &memory)[0].rule == .duplicate)
        #expect(engine.decide(event(at: day.addingTimeInterval(1799)), [hook], memory: &memory)[0].rule == .duplicate)
        #expect(engine.decide(event(at: day.addingTimeInterval(1800)), [hook], memory: &memory)[0].rule == nil, "30 minutes after the first")
        #expect(engine.decide(event(at: day.addingTimeInterval(2000)), [hook], memory: &memory)[0].rule == .duplicate, "measured from the new one")
    }

    @Test("the flood limit allows ten SMS per number per hour, exempts critical events, and slides")
    func floodLimit() {
        let engine = PolicyEngine(policies: Policies(floodLimits: [.sms: FloodLimit(channel: .sms, max: 10, per: .seconds(3600))]))
        var memory = PolicyMemory()
        let otherNumber = subscription(id: "sub_other", areas: ["essen"], channel: .sms, target: "+4917099999999")
        for minute in 0..<10 {
            let decision = engine.decide(event(title: "Lage \(minute)", at: day.addingTimeInterval(Double(minute) * 60)), [sms], memory: &memory)[0]
            #expect(decision.action == .send(at: day.addingTimeInterval(Double(minute) * 60)))
        }
        let eleventh = engine.decide(event(title: "Lage 11", at: day.addingTimeInterval(900)), [sms, otherNumber, hook], memory: &memory)
        #expect(eleventh[0].action == .suppress && eleventh[0].rule == .floodLimit)
        #expect(eleventh[0].reason?.contains("at most 10") == true)
        #expect(eleventh[1].rule == nil, "another number has its own budget")
        #expect(eleventh[2].rule == nil, "webhooks have no limit here")
        let critical = engine.decide(event(urgency: .critical, title: "Lage kritisch", at: day.addingTimeInterval(910)), [sms], memory: &memory)[0]
        #expect(critical.action == .send(at: day.addingTimeInterval(910)))
        // The critical SMS was sent, so it counts: at 60:00 the first send has left the window but the
        // budget is still full; at 61:01 the second has left too, and one slot is free again.
        #expect(engine.decide(event(title: "Lage A", at: day.addingTimeInterval(3600)), [sms], memory: &memory)[0].rule == .floodLimit)
        #expect(engine.decide(event(title: "Lage B", at: day.addingTimeInterval(3661)), [sms], memory: &memory)[0].rule == nil)
        #expect(engine.decide(event(title: "Lage C", at: day.addingTimeInterval(3662)), [sms], memory: &memory)[0].rule == .floodLimit)
    }

    @Test("VS-NfD: teaser on email and SMS, full to https webhooks, teaser to plain http outside the allow-list")
    func classification() {
        let engine = PolicyEngine(policies: Policies(classification: ClassificationRule(
            restricted: [.webhook: .full, .email: .teaser, .sms: .suppress], fullContentNetworks: [CIDR("10.20.0.0/16")!]
        )))
        let restricted = event(classification: .restricted, at: day)
        let plain = subscription(areas: ["essen"], channel: .webhook, target: "http://lage.intern.example/hook")
        let allowed = subscription(areas: ["essen"], channel: .webhook, target: "http://10.20.1.5:8080/hook")
        let decisions = engine.decide(restricted, hook, mail, sms, plain, allowed)
        #expect(decisions[0].content == .full && decisions[0].action == .send(at: day))
        #expect(decisions[1].content == .teaser && decisions[1].rule == .classification)
        #expect(decisions[2].action == .suppress && decisions[2].rule == .classification)
        #expect(decisions[3].content == .teaser)
        #expect(decisions[4].content == .full)
        #expect(engine.decide(event(at: day), mail)[0] == PolicyDecision(action: .send(at: day)), "public events travel in full")
    }

    @Test("an exercise is decided like any event; the marker is the channels' job")
    func exercise() {
        let engine = PolicyEngine(policies: .standard)
        #expect(engine.decide(event(at: day, exercise: true), hook)[0] == PolicyDecision(action: .send(at: day)))
    }
}
