import Foundation
import SikoChannels
import SikoModel
import Testing
@testable import SikoDelivery

/// The dispatcher's decisions, each a pure step tested with plain values: what a job calls for,
/// what an answer makes of the delivery, what it changes in admission, what follows.
@Suite("Dispatch steps (pure)")
struct DispatchStepsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Never asked to send: the steps only read the route's settings.
    struct IdleChannel: Channel {
        let kind = ChannelKind.webhook
        func send(_ job: DeliveryJob) async -> SendReport { SendReport(.delivered, host: .healthy) }
        func shutdown() async throws {}
    }

    let route = ChannelRoute(
        channel: IdleChannel(), retrySchedule: RetrySchedule(delays: [.zero, .seconds(60)]), timeout: .seconds(10),
        breaker: .init(threshold: 2, cooldown: .seconds(30)), disableAfter: .seconds(86_400)
    )

    func job(attempts: Int = 1, expiresAt: Date? = nil, lastError: String? = nil, target: String = "https://hook.example/a") -> DeliveryJob {
        let event = Event(
            id: "evt_1", externalId: nil, publisher: "stadt-essen", topic: "razzia", urgency: .high, areas: ["essen"], title: "x",
            body: nil, classification: .public, publishedAt: now, expiresAt: expiresAt, data: nil
        )
        let delivery = Delivery(
            id: "dlv_1", eventId: "evt_1", subscriptionId: "sub_1", partner: "stadt-essen", channel: .webhook, target: target,
            status: .sending, attempts: attempts, lastError: lastError, nextAttemptAt: now, createdAt: now, updatedAt: now
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: .de)
    }

    @Test("plan: an expired event is suppressed unsent, keeping the last error")
    func planExpired() throws {
        let plan = SendPlan(job(expiresAt: now, lastError: "HTTP 500"), route: route, now: now)
        guard case .skip(let result) = plan else { Issue.record("expected a skip, got \(plan)"); return }
        #expect(result.report == SendReport(.permanent(reason: "expired"), host: .unknown))
        #expect(result.transition == .expired(at: now, lastError: "HTTP 500"))
        #expect(result.disableAfter == nil)
    }

    @Test("plan: a channel no longer configured makes the delivery dead unsent")
    func planUnconfigured() {
        guard case .skip(let result) = SendPlan(job(), route: nil, now: now) else { Issue.record("expected a skip"); return }
        #expect(result.transition.status == .dead)
        #expect(result.transition.lastError == "channel webhook is not configured")
        #expect(result.report.host == .unknown)
    }

    @Test("plan: a live event on a configured channel is sent")
    func planSend() {
        guard case .send(let planned) = SendPlan(job(expiresAt: now.addingTimeInterval(1)), route: route, now: now) else {
            Issue.record("expected a send")
            return
        }
        #expect(planned.retrySchedule == route.retrySchedule)
    }

    @Test("result: a retry waits along the route's schedule and carries its disableAfter; the last attempt is dead")
    func result() {
        let retry = SendReport(.retry(after: nil, reason: "HTTP 500"), responseCode: 500, host: .unhealthy)
        let first = route.result(of: retry, for: job(attempts: 1), now: now, jitter: 0)
        #expect(first.transition == DeliveryTransition(status: .failed, nextAttemptAt: now.addingTimeInterval(60), lastError: "HTTP 500", disablesSubscription: false))
        #expect(first.disableAfter == .seconds(86_400))
        #expect(route.result(of: retry, for: job(attempts: 2), now: now, jitter: 0).transition.status == .dead)
    }

    @Test("settle: a Retry-After pauses the host without counting against it")
    func settlePause() {
        var admission = Admission(limits: [.webhook: route.limits(sharedBy: 1)])
        let job = job()
        #expect(admission.admit(job.delivery, now: now) == .start)
        let settlement = admission.settle(job.delivery, SendReport(.retry(after: .seconds(120), reason: "HTTP 429"), responseCode: 429, host: .unknown), now: now)
        #expect(settlement.pause?.targets == [job.delivery.target])
        #expect(settlement.pause?.until == now.addingTimeInterval(120))
        #expect(settlement.opened == nil && settlement.heldUntil == nil)
        #expect(settlement.breakerCounts == (open: 0, halfOpen: 0))
        #expect(admission.totalBusy == 0)
    }

    @Test("settle: the answer that opens the breaker says so once; the host is held until the probe")
    func settleOpens() {
        var admission = Admission(limits: [.webhook: route.limits(sharedBy: 1)])
        let failing = SendReport(.retry(after: nil, reason: "timed out"), host: .unhealthy)
        let first = job(), second = job(target: "https://hook.example/b")
        _ = admission.admit(first.delivery, now: now)
        _ = admission.admit(second.delivery, now: now)
        let one = admission.settle(first.delivery, failing, now: now)
        #expect(one.opened == nil && one.postponements.isEmpty && one.heldUntil == nil)
        let two = admission.settle(second.delivery, failing, now: now)
        #expect(Set(two.opened?.targets ?? []) == [first.delivery.target, second.delivery.target], "every target of the host")
        #expect(two.opened?.until == now.addingTimeInterval(30))
        #expect(two.heldUntil == now.addingTimeInterval(30))
        #expect(two.breakerCounts == (open: 1, halfOpen: 0))
    }

    @Test("settle: an unknown verdict leaves the breaker alone, a healthy one closes it")
    func settleVerdicts() {
        var admission = Admission(limits: [.webhook: route.limits(sharedBy: 1)])
        let job = job()
        _ = admission.admit(job.delivery, now: now)
        _ = admission.settle(job.delivery, SendReport(.retry(after: nil, reason: "x"), host: .unhealthy), now: now)
        _ = admission.admit(job.delivery, now: now)
        _ = admission.settle(job.delivery, SendReport(.permanent(reason: "refused"), host: .unknown), now: now)
        _ = admission.admit(job.delivery, now: now)
        let opened = admission.settle(job.delivery, SendReport(.retry(after: nil, reason: "x"), host: .unhealthy), now: now)
        #expect(opened.opened != nil, "the unknown one between did not reset the count")
    }

    @Test("holding: only a retry that would come before the probe waits for it")
    func holding() {
        let probe = now.addingTimeInterval(30)
        let soon = DeliveryTransition(status: .failed, nextAttemptAt: now.addingTimeInterval(5), lastError: "x", disablesSubscription: false)
        #expect(soon.holding(until: probe).nextAttemptAt == probe)
        let later = DeliveryTransition(status: .failed, nextAttemptAt: now.addingTimeInterval(300), lastError: "x", disablesSubscription: false)
        #expect(later.holding(until: probe) == later)
        #expect(soon.holding(until: nil) == soon)
        let dead = DeliveryTransition(status: .dead, nextAttemptAt: nil, lastError: "x", disablesSubscription: false)
        #expect(dead.holding(until: probe) == dead)
    }

    @Test("follow-up: 410 disables at once, a retry checks how long the subscription has failed, the rest asks nothing")
    func followUp() {
        let gone = route.result(of: SendReport(.gone(reason: "HTTP 410 (subscription disabled)"), responseCode: 410, host: .healthy), for: job(), now: now, jitter: 0)
        #expect(FollowUp(gone, transition: gone.transition) == .disable(reason: "HTTP 410 (subscription disabled)"))
        let retry = route.result(of: SendReport(.retry(after: nil, reason: "HTTP 500"), host: .unhealthy), for: job(), now: now, jitter: 0)
        #expect(FollowUp(retry, transition: retry.transition) == .disableIfFailing(
            for: .seconds(86_400), reason: "deliveries failed without a success for 1 days (last error: HTTP 500)"
        ))
        let delivered = route.result(of: SendReport(.delivered, responseCode: 200, host: .healthy), for: job(), now: now, jitter: 0)
        #expect(FollowUp(delivered, transition: delivered.transition) == .none)
        guard case .skip(let expired) = SendPlan(job(expiresAt: now), route: route, now: now) else { return }
        #expect(FollowUp(expired, transition: expired.transition) == .none)
    }
}
