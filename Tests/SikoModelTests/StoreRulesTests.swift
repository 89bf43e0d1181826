import Foundation
import SikoModel
import Testing

/// The rules that decide what the store writes, tested without a store.
@Suite("Store rules")
struct StoreRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func delivery(_ id: String, subscription: String = "sub_a", status: DeliveryStatus = .sending, channel: ChannelKind = .webhook,
                  attempts: Int = 1, updatedAt: Date? = nil) -> Delivery {
        Delivery(
            id: id, eventId: "evt_a", subscriptionId: subscription, partner: "p", channel: channel, target: "t", status: status,
            attempts: attempts, nextAttemptAt: nil, createdAt: now, updatedAt: updatedAt ?? now
        )
    }

    @Test("a give-back undoes the claim's attempt: failed when tried before, pending when never")
    func giveBack() {
        #expect(Lease.giveBack(attempts: 1) == GivenBack(status: .pending, attempts: 0))
        #expect(Lease.giveBack(attempts: 2) == GivenBack(status: .failed, attempts: 1))
        #expect(Lease.giveBack(attempts: 5) == GivenBack(status: .failed, attempts: 4))
        #expect(Lease.attemptsUnsent(afterClaim: 3) == 2)
    }

    @Test("an interrupted attempt is failed, due again, and says why")
    func interrupted() {
        #expect(Lease.interruptedStatus == .failed)
        #expect(Lease.interruptedError == "interrupted: the gateway stopped while sending")
    }

    @Test("a claim suppresses deliveries of deleted, missing and disabled subscriptions, without counting the claim")
    func claimReview() {
        let claimed = [
            delivery("dlv_1", subscription: "sub_live"), delivery("dlv_2", subscription: "sub_gone", attempts: 3),
            delivery("dlv_3", subscription: "sub_off"), delivery("dlv_4", subscription: "sub_muted"),
            delivery("dlv_5", subscription: "sub_missing"),
        ]
        let review = ClaimReview(claimed: claimed, subscriptions: [
            "sub_live": .active, "sub_gone": .deleted, "sub_off": .disabled(reason: "HTTP 410"), "sub_muted": .disabled(reason: nil),
        ])
        #expect(review.send.map(\.id) == ["dlv_1"])
        #expect(review.stop == [
            .init(deliveryId: "dlv_2", reason: "subscription deleted", attempts: 2),
            .init(deliveryId: "dlv_3", reason: "subscription disabled: HTTP 410", attempts: 0),
            .init(deliveryId: "dlv_4", reason: "subscription disabled", attempts: 0),
            .init(deliveryId: "dlv_5", reason: "subscription deleted", attempts: 0),
        ])
    }

    @Test("a subscription's state: deletion wins over disabling")
    func subscriptionState() {
        #expect(SubscriptionState(enabled: true, disabledReason: nil, deleted: false) == .active)
        #expect(SubscriptionState(enabled: false, disabledReason: "x", deleted: false) == .disabled(reason: "x"))
        #expect(SubscriptionState(enabled: false, disabledReason: "x", deleted: true) == .deleted)
    }

    @Test("a 410 disables the subscription with the receiver's answer; other results do not")
    func gone() {
        let gone = DeliveryTransition.after(.gone(reason: "HTTP 410"), attempt: 1, schedule: .standard, now: now)
        #expect(gone.disabling == SubscriptionDisabling(disabledReason: "HTTP 410", suppressionReason: "subscription disabled: HTTP 410"))
        let unexplained = DeliveryTransition(status: .dead, nextAttemptAt: nil, lastError: nil, disablesSubscription: true)
        #expect(unexplained.disabling == SubscriptionDisabling(disabledReason: nil, suppressionReason: "subscription disabled: gone"))
        #expect(DeliveryTransition.after(.permanent(reason: "HTTP 400"), attempt: 1, schedule: .standard, now: now).disabling == nil)
    }

    @Test("failing for too long disables with the reason given")
    func failing() {
        let disabling = SubscriptionDisabling.failing("failing since 5 days")
        #expect(disabling.disabledReason == "failing since 5 days")
        #expect(disabling.suppressionReason == "subscription disabled: failing since 5 days")
        #expect(SubscriptionStop.deleted == "subscription deleted")
    }

    @Test("successes clear a subscription's failing mark, failures set it, suppression says nothing")
    func health() {
        func health(_ status: DeliveryStatus) -> SubscriptionHealth? {
            DeliveryTransition(status: status, nextAttemptAt: nil, lastError: nil, disablesSubscription: false).subscriptionHealth
        }
        #expect(health(.delivered) == .healthy && health(.sent) == .healthy)
        #expect(health(.failed) == .failing && health(.dead) == .failing)
        #expect(health(.suppressed) == nil && health(.pending) == nil)
    }

    @Test("a report that ends a delivery gives its meaning and detail; one after a purge keeps only its code")
    func receiptEffect() {
        let rejected = Receipt(deliveryId: "dlv_1", report: .rejectedBySMSC, detail: "NACK/0x0000000b", receivedAt: now)
        #expect(rejected.effect(on: .sent, eventPurged: false)
            == ReceiptEffect(detail: "NACK/0x0000000b", next: .dead, lastError: "SMS report: rejected by the SMSC (NACK/0x0000000b)"))
        #expect(rejected.effect(on: .sent, eventPurged: true) == ReceiptEffect(detail: nil, next: .dead, lastError: "SMS report: rejected by the SMSC"))
        let delivered = Receipt(deliveryId: "dlv_1", report: .delivered, detail: "ok", receivedAt: now)
        #expect(delivered.effect(on: .sent, eventPurged: false) == ReceiptEffect(detail: "ok", next: .delivered, lastError: nil))
        #expect(delivered.effect(on: .dead, eventPurged: false) == ReceiptEffect(detail: "ok", next: nil, lastError: nil))
    }

    @Test("retention keeps the content of sends under way and of SMS whose report may still come")
    func purgeEligibility() {
        for status in [DeliveryStatus.pending, .failed, .sending] {
            #expect(PurgeEligibility.keepsContent(status: status, channel: .webhook, updatedAt: now.addingTimeInterval(-1e8), now: now))
        }
        for status in [DeliveryStatus.delivered, .dead, .suppressed] {
            #expect(!PurgeEligibility.keepsContent(status: status, channel: .sms, updatedAt: now, now: now))
        }
        let window = SMSReceipt.reportWindow.timeInterval
        #expect(PurgeEligibility.keepsContent(status: .sent, channel: .sms, updatedAt: now.addingTimeInterval(-window), now: now))
        #expect(!PurgeEligibility.keepsContent(status: .sent, channel: .sms, updatedAt: now.addingTimeInterval(-window - 1), now: now))
        #expect(!PurgeEligibility.keepsContent(status: .sent, channel: .email, updatedAt: now, now: now), "email gives no report")
        #expect(PurgeEligibility.mayPurge([delivery("dlv_1", status: .delivered), delivery("dlv_2", status: .dead)], now: now))
        #expect(!PurgeEligibility.mayPurge([delivery("dlv_1", status: .delivered), delivery("dlv_2", status: .failed)], now: now))
        #expect(PurgeEligibility.mayPurge([], now: now))
    }

    @Test("open and requeueable states")
    func states() {
        #expect(DeliveryStatus.open == [.pending, .failed])
        #expect(DeliveryStatus.requeueable == [.dead, .failed])
        #expect(DeliveryStatus.open.allSatisfy { !$0.isFinal })
    }

    @Test("limits are clamped to their ranges")
    func limits() {
        #expect(DeliveryQuery(limit: 0).pageLimit == 1 && DeliveryQuery(limit: 5000).pageLimit == 1000)
        #expect(DeliveryQuery(limit: -3).retryLimit == 1 && DeliveryQuery(limit: 50_000).retryLimit == 10_000)
        #expect(DeliveryQuery(limit: 42).pageLimit == 42)
    }
}
