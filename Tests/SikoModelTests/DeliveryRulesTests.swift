import SikoTestSupport
import Foundation
import SikoModel
import Testing

@Suite("Retry schedule and delivery transitions")
struct DeliveryRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let schedule = RetrySchedule(delays: [.zero, .seconds(5), .seconds(300)])

    @Test func deliveredAndSent() {
        #expect(DeliveryTransition.after(.delivered, attempt: 1, schedule: schedule, now: now).status == .delivered)
        #expect(DeliveryTransition.after(.sent, attempt: 1, schedule: schedule, now: now).status == .sent)
    }

    @Test("a failure waits the next entry of the schedule")
    func retryFollowsSchedule() {
        let first = DeliveryTransition.after(.retry(after: nil, reason: "HTTP 500"), attempt: 1, schedule: schedule, now: now)
        #expect(first.status == .failed)
        #expect(first.nextAttemptAt == now.addingTimeInterval(5))
        #expect(first.lastError == "HTTP 500")
        let second = DeliveryTransition.after(.retry(after: nil, reason: "HTTP 500"), attempt: 2, schedule: schedule, now: now)
        #expect(second.nextAttemptAt == now.addingTimeInterval(300))
    }

    @Test("after the last entry the delivery is dead")
    func exhausted() {
        let last = DeliveryTransition.after(.retry(after: nil, reason: "HTTP 500"), attempt: 3, schedule: schedule, now: now)
        #expect(last.status == .dead)
        #expect(last.nextAttemptAt == nil)
        #expect(last.lastError?.contains("gave up after 3 attempts") == true)
    }

    @Test("Retry-After longer than the schedule wins")
    func retryAfter() {
        let longer = DeliveryTransition.after(.retry(after: .seconds(60), reason: "HTTP 429"), attempt: 1, schedule: schedule, now: now)
        #expect(longer.nextAttemptAt == now.addingTimeInterval(60))
        let shorter = DeliveryTransition.after(.retry(after: .seconds(1), reason: "HTTP 429"), attempt: 1, schedule: schedule, now: now)
        #expect(shorter.nextAttemptAt == now.addingTimeInterval(5))
    }

    @Test("jitter moves a scheduled wait by at most ±10%, keeps 0s at 0s and never shortens Retry-After")
    func jitter() {
        let fail = DeliveryOutcome.retry(after: nil, reason: "HTTP 503")
        let early = DeliveryTransition.after(fail, attempt: 2, schedule: schedule, now: now, jitter: -1)
        let late = DeliveryTransition.after(fail, attempt: 2, schedule: schedule, now: now, jitter: 1)
        #expect(early.nextAttemptAt == now.addingTimeInterval(270))
        #expect(late.nextAttemptAt == now.addingTimeInterval(330))
        let beyond = DeliveryTransition.after(fail, attempt: 2, schedule: schedule, now: now, jitter: 7)
        #expect(beyond.nextAttemptAt == now.addingTimeInterval(330), "clamped")
        let immediate = DeliveryTransition.after(fail, attempt: 0, schedule: schedule, now: now, jitter: 1)
        #expect(immediate.nextAttemptAt == now)
        let asked = DeliveryTransition.after(.retry(after: .seconds(300), reason: "HTTP 429"), attempt: 2, schedule: schedule, now: now, jitter: -1)
        #expect(asked.nextAttemptAt == now.addingTimeInterval(300), "the receiver's Retry-After is a floor")
        let spread = Set((0..<50).map { _ in
            DeliveryTransition.after(fail, attempt: 2, schedule: schedule, now: now, jitter: Double.random(in: -1...1)).nextAttemptAt
        })
        #expect(spread.count > 10, "deliveries that failed together come back spread out")
    }

    @Test("permanent errors die at once; 410 also disables the subscription")
    func permanent() {
        let dead = DeliveryTransition.after(.permanent(reason: "bad"), attempt: 1, schedule: schedule, now: now)
        #expect(dead.status == .dead && !dead.disablesSubscription)
        let gone = DeliveryTransition.after(.gone(reason: "HTTP 410"), attempt: 1, schedule: schedule, now: now)
        #expect(gone.status == .dead && gone.disablesSubscription)
    }

    @Test("durations as written in channel files", arguments: [
        ("0s", Duration.zero), ("500ms", .milliseconds(500)), ("5s", .seconds(5)), ("5m", .seconds(300)),
        ("2h", .seconds(7200)), ("1d", .seconds(86_400)),
    ])
    func durations(_ text: String, _ expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test("malformed durations are refused", arguments: ["", "5", "s", "-5s", "5 minutes", "1.5h", "5M"])
    func badDurations(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("ids sort by time and carry their prefix")
    func identifiers() {
        let early = Identifier.make("evt", at: Date(timeIntervalSince1970: 1_000))
        let late = Identifier.make("evt", at: Date(timeIntervalSince1970: 2_000))
        #expect(early.hasPrefix("evt_") && early.count == 30)
        #expect(early < late)
        #expect(Identifier.make("dlv") != Identifier.make("dlv"))
    }
}
