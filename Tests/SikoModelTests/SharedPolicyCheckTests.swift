import Foundation
import SikoModel
import SikoTestSupport
import Testing

/// The duplicate window and flood limits as a shared store applies them over every gateway's
/// publishes: pure, given what the store found (the original, the counts).
@Suite("Policies over all gateways (pure)")
struct SharedPolicyCheckTests {
    let now = utc("2026-12-02T10:00:00Z")
    let policies = Policies(duplicateWindow: .seconds(1800), floodLimits: [.sms: FloodLimit(channel: .sms, max: 2, per: .seconds(3600))])

    func delivery(_ number: Int, channel: ChannelKind = .sms, target: String = "+491701234567", of event: Event) -> Delivery {
        Delivery(
            id: "dlv_\(number)", eventId: event.id, subscriptionId: "sub_\(number)", partner: "stadt-essen", channel: channel, target: target,
            status: .pending, nextAttemptAt: now, createdAt: now, updatedAt: now
        )
    }

    @Test("a copy of another gateway's original within the window: every delivery suppressed as duplicate, naming the original")
    func copy() {
        let event = event(urgency: .high, at: now)
        let check = SharedPolicyCheck(event, policies: policies)
        let original = SharedPolicyCheck.Original(eventId: "evt_first", urgency: .high, publishedAt: now.addingTimeInterval(-60))
        var sent: [SharedPolicyCheck.Target: Int] = [:]
        let (deliveries, isOriginal) = check.apply(to: [delivery(1, of: event), delivery(2, channel: .webhook, target: "https://a", of: event)], of: event, original: original, sent: &sent)
        #expect(!isOriginal)
        #expect(deliveries.allSatisfy { $0.status == .suppressed && $0.rule == .duplicate })
        #expect(deliveries[0].lastError?.hasPrefix("repeats evt_first of 2026-12-02T09:59:00") == true, "\(deliveries[0].lastError ?? "")")
        #expect(sent.isEmpty, "a copy sends nothing, so it counts toward no flood limit")
    }

    @Test("no copy: outside the window, or the urgency rose; then the event is the new original")
    func notCopy() {
        let later = event(urgency: .high, at: now)
        let old = SharedPolicyCheck.Original(eventId: "evt_old", urgency: .high, publishedAt: now.addingTimeInterval(-1801))
        let lower = SharedPolicyCheck.Original(eventId: "evt_low", urgency: .medium, publishedAt: now.addingTimeInterval(-10))
        let check = SharedPolicyCheck(later, policies: policies)
        #expect(check.repeats(old, of: later) == nil)
        #expect(check.repeats(lower, of: later) == nil)
        var sent: [SharedPolicyCheck.Target: Int] = [:]
        #expect(check.apply(to: [], of: later, original: lower, sent: &sent).isOriginal)
    }

    @Test("ten per number and hour means ten in all: what the other gateways sent counts, and so does each delivery of this batch")
    func flood() {
        let event = event(urgency: .high, at: now)
        let check = SharedPolicyCheck(event, policies: policies)
        let target = SharedPolicyCheck.Target(channel: .sms, target: "+491701234567")
        #expect(check.limitedTargets([delivery(1, of: event), delivery(2, channel: .webhook, target: "https://a", of: event)]) == [target])
        var sent = [target: 1]
        let (deliveries, _) = check.apply(to: [delivery(1, of: event), delivery(2, of: event), delivery(3, channel: .webhook, target: "https://a", of: event)], of: event, original: nil, sent: &sent)
        #expect(deliveries.map(\.status) == [.pending, .suppressed, .pending])
        #expect(deliveries[1].rule == .floodLimit)
        #expect(deliveries[1].lastError == "2 sms deliveries to this target within 1h (at most 2; critical events are exempt)")
        #expect(sent[target] == 2)
    }

    @Test("a critical event is exempt from flood limits; one this gateway already found a copy stays suppressed and is no original")
    func exemptions() {
        let critical = event(urgency: .critical, at: now)
        #expect(SharedPolicyCheck(critical, policies: policies).floodLimits.isEmpty)
        let event = event(at: now)
        var local = delivery(1, of: event)
        local.status = .suppressed
        local.rule = .duplicate
        var sent: [SharedPolicyCheck.Target: Int] = [:]
        let (deliveries, isOriginal) = SharedPolicyCheck(event, policies: policies).apply(to: [local], of: event, original: nil, sent: &sent)
        #expect(!isOriginal && deliveries == [local])
    }

    @Test("the fingerprint ignores the order of areas and the title's case and blanks")
    func fingerprint() {
        let a = event(areas: ["essen", "bochum"], title: " Razzia Altendorf ", at: now)
        let b = event(areas: ["bochum", "essen"], title: "razzia altendorf", at: now)
        #expect(SharedPolicyCheck(a, policies: policies).fingerprint == SharedPolicyCheck(b, policies: policies).fingerprint)
        #expect(SharedPolicyCheck(a, policies: policies).fingerprint != SharedPolicyCheck(event(topic: "geldwaesche", at: now), policies: policies).fingerprint)
    }
}
