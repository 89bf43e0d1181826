import SikoTestSupport
import Foundation
import SikoChannels
import SikoModel
import SikoSQLite
import Testing

@Suite("SMS delivery reports")
struct ReceiptTests {
    @Test("reports move a sent delivery forward only")
    func transitions() {
        #expect(SMSReceipt.delivered.transition(from: .sent) == .delivered)
        #expect(SMSReceipt.delivered.transition(from: .sending) == .delivered, "a report may overtake the recording of the send")
        #expect(SMSReceipt.failed.transition(from: .sent) == .dead)
        #expect(SMSReceipt.rejectedBySMSC.transition(from: .sent) == .dead)
        #expect(SMSReceipt.acceptedBySMSC.transition(from: .sent) == nil)
        #expect(SMSReceipt.buffered.transition(from: .sent) == nil)
        #expect(SMSReceipt.acceptedBySMSC.transition(from: .delivered) == nil, "8 after 1 changes nothing")
        #expect(SMSReceipt.failed.transition(from: .delivered) == nil)
        #expect(SMSReceipt.delivered.transition(from: .dead) == nil)
    }

    @Test("tokens belong to one delivery and one secret")
    func tokens() {
        let token = ReceiptToken(secret: Array("secret-1".utf8))
        let value = token.token(for: "dlv_a")
        #expect(token.verify(value, for: "dlv_a"))
        #expect(!token.verify(value, for: "dlv_b"))
        #expect(!ReceiptToken(secret: Array("secret-2".utf8)).verify(value, for: "dlv_a"))
        #expect(!token.verify("", for: "dlv_a"))
        #expect(!token.verify(String(value.dropLast()) + "x", for: "dlv_a"))
    }

    @Test("the store keeps each report once and never moves a delivery back")
    func store() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("siko.sqlite"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.insertSubscription(subscription(id: "sub_1", areas: ["essen"], channel: .sms, target: "+4917012345678"), secret: nil)
        let event = Event(id: "evt_1", externalId: nil, publisher: "stadt-essen", topic: "razzia", urgency: .high, areas: ["essen"], title: "x", body: nil, classification: .public, publishedAt: now, expiresAt: nil, data: nil)
        let delivery = Delivery(id: "dlv_1", eventId: "evt_1", subscriptionId: "sub_1", partner: "stadt-essen", channel: .sms, target: "+4917012345678", status: .pending, nextAttemptAt: now, createdAt: now, updatedAt: now)
        _ = try await store.publish(PublishRequest(event: event, idempotencyKey: nil, deliveries: [delivery]))
        _ = try await store.claim(limit: 1, owner: "w", now: now, leaseUntil: now.addingTimeInterval(60))
        try await store.complete([AttemptResult(owner: "w", subscriptionId: "sub_1", attempt: Attempt(deliveryId: "dlv_1", number: 1, startedAt: now, finishedAt: now, status: .sent, responseCode: 202, error: nil), transition: .after(.sent, attempt: 1, schedule: .standard, now: now))])
        // Reports as an SMSC sends them, a second apart: accepted, delivered, delivered again, a late failure.
        func report(_ kind: SMSReceipt, _ detail: String?, after seconds: TimeInterval) async throws -> DeliveryStatus? {
            try await store.recordReceipt(Receipt(deliveryId: "dlv_1", report: kind, detail: detail, receivedAt: now.addingTimeInterval(seconds)))?.status
        }
        #expect(try await report(.acceptedBySMSC, "ACK/", after: 1) == .sent)
        #expect(try await report(.delivered, nil, after: 2) == .delivered)
        #expect(try await report(.delivered, nil, after: 3) == .delivered)
        #expect(try await report(.failed, "late", after: 4) == .delivered)
        // What an operator reading the delivery expects: each report once, in the order they came.
        let kept = try await store.receipts(deliveryID: "dlv_1")
        #expect(kept.map(\.report) == [.acceptedBySMSC, .delivered, .failed])
        #expect(kept.map(\.receivedAt) == [1, 2, 4].map { now.addingTimeInterval($0) }, "the repeated report does not replace the first")
        #expect(try await store.recordReceipt(Receipt(deliveryId: "dlv_missing", report: .delivered, detail: nil, receivedAt: now)) == nil)
        let secret = try await store.sealedSecret(named: "s") { "sealed:first" }
        #expect(try await store.sealedSecret(named: "s") { "sealed:second" } == secret, "made once, then kept")
    }
}
