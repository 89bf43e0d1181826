import SikoTestSupport
import Foundation
import SikoModel
import Testing
@testable import SikoDelivery

@Suite("Circuit breaker and admission (pure)")
struct IsolationTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("five failures in a row open the breaker; one probe after the cooldown; success closes, failure doubles the wait")
    func breaker() {
        var breaker = CircuitBreaker(settings: .init(threshold: 5, cooldown: .seconds(30), maxCooldown: .seconds(90)))
        for _ in 0..<4 { breaker.record(failure: true, now: now) }
        breaker.record(failure: false, now: now)
        #expect(breaker.state == .closed(failures: 0), "a success in between starts the count again")
        for _ in 0..<5 { breaker.record(failure: true, now: now) }
        #expect(breaker.state == .open(until: now.addingTimeInterval(30), cooldown: .seconds(30)))
        let verdict1 = breaker.admit(now: now.addingTimeInterval(29))
        #expect(!verdict1)
        #expect(breaker.retryAt(now: now) == now.addingTimeInterval(30))
        let verdict2 = breaker.admit(now: now.addingTimeInterval(30))
        #expect(verdict2, "the probe")
        let verdict3 = breaker.admit(now: now.addingTimeInterval(30))
        #expect(!verdict3, "only one probe at a time")
        breaker.record(failure: true, now: now.addingTimeInterval(31))
        #expect(breaker.state == .open(until: now.addingTimeInterval(91), cooldown: .seconds(60)))
        let verdict4 = breaker.admit(now: now.addingTimeInterval(91))
        #expect(verdict4)
        breaker.record(failure: true, now: now.addingTimeInterval(92))
        #expect(breaker.state == .open(until: now.addingTimeInterval(182), cooldown: .seconds(90)), "capped at maxCooldown")
        let verdict5 = breaker.admit(now: now.addingTimeInterval(182))
        #expect(verdict5)
        breaker.record(failure: false, now: now.addingTimeInterval(183))
        #expect(breaker.state == .closed(failures: 0) && !breaker.isOpen)
    }

    func delivery(_ id: String, _ channel: ChannelKind = .webhook, target: String) -> Delivery {
        Delivery(
            id: id, eventId: "evt_1", subscriptionId: "sub_\(id)", partner: "stadt-essen", channel: channel, target: target,
            status: .sending, nextAttemptAt: now, createdAt: now, updatedAt: now
        )
    }

    var admission: Admission {
        let breaker = CircuitBreaker.Settings(threshold: 2, cooldown: .seconds(30))
        return Admission(limits: [
            .webhook: .init(budget: 3, perTarget: 2, breaker: breaker),
            .email: .init(budget: 1, perTarget: 1, breaker: breaker),
        ])
    }

    @Test("each channel has its own budget and each target its own cap")
    func budgetsAndCaps() {
        var admission = admission
        let slow = "https://slow.example/hook"
        let verdict6 = admission.admit(delivery("1", target: slow), now: now)
        #expect(verdict6 == .start)
        let verdict7 = admission.admit(delivery("2", target: slow), now: now)
        #expect(verdict7 == .start)
        let verdict8 = admission.admit(delivery("3", target: slow), now: now)
        #expect(verdict8 == .wait(until: now), "the slow target is at its cap")
        #expect(admission.excludedTargets(.webhook, now: now) == [slow])
        let verdict9 = admission.admit(delivery("4", target: "https://fast.example/hook"), now: now)
        #expect(verdict9 == .start, "another target still goes")
        #expect(admission.capacity(.webhook) == 0)
        let verdict10 = admission.admit(delivery("5", target: "https://third.example/hook"), now: now)
        #expect(verdict10 == .wait(until: now))
        let verdict11 = admission.admit(delivery("6", .email, target: "lage@essen.example"), now: now)
        #expect(verdict11 == .start, "email has its own budget")
        admission.finish(delivery("1", target: slow), host: .healthy, now: now)
        #expect(admission.capacity(.webhook) == 1)
        #expect(admission.excludedTargets(.webhook, now: now).isEmpty)
    }

    @Test("a target that answers fast earns more sends at once, up to the ceiling; one slow or failed answer halves that, never below its cap")
    func allowance() {
        var admission = Admission(limits: [.webhook: .init(budget: 64, perTarget: 4, ceiling: 8, breaker: .init(threshold: 5, cooldown: .seconds(30)))])
        let target = "https://lage.example/hook"
        func fill() -> Int {
            var started = 0
            while admission.admit(delivery("d\(started)", target: target), now: now) == .start { started += 1 }
            return started
        }
        func finish(_ count: Int, _ health: HostHealth, took: TimeInterval) {
            for index in 0..<count { admission.finish(delivery("d\(index)", target: target), host: health, took: took, now: now) }
        }
        #expect(fill() == 4, "a new target starts at its cap")
        finish(4, .healthy, took: 0.01)
        #expect(admission.cap(.webhook, target) == 6, "four fast answers: two sends more")
        #expect(admission.freeSlots(.webhook) == [target: 6], "the claim may take what the target has earned")
        #expect(fill() == 6)
        finish(6, .healthy, took: 0.01)
        #expect(admission.cap(.webhook, target) == 8, "never above the ceiling")
        #expect(fill() == 8)
        finish(1, .healthy, took: Allowance.fastAnswer + 0.1)
        #expect(admission.cap(.webhook, target) == 4, "a slow answer halves it, down to the cap")
        finish(7, .unhealthy, took: 0.01)
        #expect(admission.cap(.webhook, target) == 4 && admission.freeSlots(.webhook).isEmpty, "back at the cap it is forgotten")
    }

    @Test("without a ceiling above the cap, nothing is earned")
    func noAllowanceWithoutCeiling() {
        var admission = admission
        let target = "https://lage.example/hook"
        for index in 0..<20 {
            _ = admission.admit(delivery("\(index)", target: target), now: now)
            admission.finish(delivery("\(index)", target: target), host: .healthy, took: 0.001, now: now)
        }
        #expect(admission.cap(.webhook, target) == 2)
    }

    @Test("a host's breaker holds back all its targets, then lets one probe through")
    func breakerPerHost() {
        var admission = admission
        let first = "https://down.example/a", second = "https://down.example:443/b"
        #expect(Admission.host(channel: .webhook, target: first) == Admission.host(channel: .webhook, target: second))
        _ = admission.admit(delivery("1", target: first), now: now)
        _ = admission.admit(delivery("2", target: second), now: now)
        #expect(admission.finish(delivery("1", target: first), host: .unhealthy, now: now) == nil)
        let opened = admission.finish(delivery("2", target: second), host: .unhealthy, now: now)
        #expect(opened?.until == now.addingTimeInterval(30))
        #expect(Set(opened?.targets ?? []) == [first, second])
        #expect(Set(admission.excludedTargets(.webhook, now: now)) == [first, second])
        let verdict12 = admission.admit(delivery("3", target: first), now: now)
        #expect(verdict12 == .wait(until: now.addingTimeInterval(30)))
        let verdict13 = admission.admit(delivery("4", target: "https://up.example/a"), now: now)
        #expect(verdict13 == .start, "other hosts are not affected")
        #expect(admission.breakerCounts == (open: 1, halfOpen: 0))
        let later = now.addingTimeInterval(30)
        #expect(admission.excludedTargets(.webhook, now: later).isEmpty, "due for a probe")
        let verdict14 = admission.admit(delivery("5", target: second), now: later)
        #expect(verdict14 == .start)
        if case .wait = admission.admit(delivery("6", target: first), now: later) {} else { Issue.record("only one probe") }
        admission.finish(delivery("5", target: second), host: .healthy, now: later)
        #expect(admission.breakerCounts == (open: 0, halfOpen: 0))
        let verdict15 = admission.admit(delivery("7", target: first), now: later)
        #expect(verdict15 == .start)
    }

    @Test("a paced channel lets one send start per slot, evenly spaced; an idle pause banks no slots")
    func pacing() {
        var admission = Admission(limits: [.sms: .init(budget: 8, perTarget: 8, breaker: .init(), interval: 0.5)])
        #expect(admission.paced(.sms, now: now) == 1)
        #expect(admission.admit(delivery("1", .sms, target: "+4917012345678"), now: now) == .start)
        #expect(admission.paced(.sms, now: now) == 0, "the claim waits for the next slot instead of a send waiting under its lease")
        #expect(admission.pacedUntil(.sms, now: now) == now.addingTimeInterval(0.5))
        #expect(admission.admit(delivery("2", .sms, target: "+4917012345679"), now: now) == .wait(until: now.addingTimeInterval(0.5)))
        #expect(admission.admit(delivery("3", .sms, target: "+4917012345679"), now: now.addingTimeInterval(0.5)) == .start)
        let later = now.addingTimeInterval(60)
        #expect(admission.paced(.sms, now: later) == 1, "one slot after a pause, not a burst of 120")
        #expect(admission.admit(delivery("4", .sms, target: "+4917012345670"), now: later) == .start)
        #expect(admission.paced(.sms, now: later) == 0)
        #expect(admission.paced(.webhook, now: now) == .max, "an unpaced channel is not limited")
    }

    @Test("Retry-After holds the host until then without counting toward its breaker")
    func retryAfterHolds() {
        var admission = admission
        let first = "https://busy.example/a", second = "https://busy.example/b"
        _ = admission.admit(delivery("1", target: first), now: now)
        admission.finish(delivery("1", target: first), host: .unknown, now: now)
        let held = admission.hold(delivery("1", target: first), until: now.addingTimeInterval(120), now: now)
        #expect(held == [first])
        #expect(admission.excludedTargets(.webhook, now: now) == [first])
        #expect(admission.admit(delivery("2", target: second), now: now) == .wait(until: now.addingTimeInterval(120)), "the whole host waits")
        #expect(admission.breakerCounts == (open: 0, halfOpen: 0), "a receiver's wish is not a failure")
        let after = now.addingTimeInterval(120)
        #expect(admission.excludedTargets(.webhook, now: after).isEmpty)
        #expect(admission.admit(delivery("3", target: second), now: after) == .start)
    }
}
