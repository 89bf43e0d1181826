import Foundation
import SikoModel
import Testing

@Suite("Store contract: SMS delivery reports")
struct ReceiptContractTests {
    @Test("each kind of report is kept once; a report moves a sent SMS forward only, never back", arguments: StoreEngine.allCases)
    func forwardOnly(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let sms = subscription("sub_sms", channel: .sms)
            try await store.add(sms)
            let published = try await store.publish([.to(sms), .to(sms)])
            _ = try await store.sendAll(.sent, on: .sms, at: t0)
            let (reached, lost) = (published.deliveryIds[0], published.deliveryIds[1])

            func report(_ id: String, _ kind: SMSReceipt, _ detail: String? = nil, at seconds: Double) async throws -> DeliveryStatus? {
                try await store.recordReceipt(Receipt(deliveryId: id, report: kind, detail: detail, receivedAt: t0.plus(seconds)))?.status
            }
            #expect(try await report(reached, .acceptedBySMSC, "ACK/", at: 1) == .sent)
            #expect(try await report(reached, .delivered, at: 2) == .delivered)
            #expect(try await report(reached, .delivered, at: 3) == .delivered)
            #expect(try await report(reached, .failed, "late", at: 4) == .delivered, "8 or 2 after 1 changes nothing")
            let kept = try await store.receipts(deliveryID: reached)
            #expect(kept.count == 3)
            #expect(Set(kept.map(\.report)) == [.acceptedBySMSC, .delivered, .failed])
            #expect(kept.first { $0.report == .delivered }?.receivedAt == t0.plus(2), "the first of two alike is the one kept")

            #expect(try await report(lost, .rejectedBySMSC, "NACK/0x0b", at: 5) == .dead)
            let dead = try #require(try await store.delivery(id: lost))
            #expect(dead.lastError?.contains("rejected by the SMSC") == true)
            #expect(try await report(lost, .delivered, at: 6) == .dead)
            #expect(try await store.recordReceipt(Receipt(deliveryId: "dlv_missing", report: .delivered, detail: nil, receivedAt: t0)) == nil)
            #expect(try await store.receipts(deliveryID: "dlv_missing").isEmpty)
        }
    }

    @Test("a report that overtakes the recording of the send moves it; one for a delivery not yet handed over does not",
          arguments: StoreEngine.allCases)
    func beforeTheSend(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let sms = subscription("sub_sms", channel: .sms)
            try await store.add(sms)
            let published = try await store.publish([.to(sms), .to(sms, due: t0.plus(600))])
            _ = try await store.claim(.sms, limit: 1, at: t0)
            let sending = published.deliveryIds[0], waiting = published.deliveryIds[1]
            #expect(try await store.recordReceipt(Receipt(deliveryId: sending, report: .delivered, detail: nil, receivedAt: t0))?.status == .delivered)
            #expect(try await store.recordReceipt(Receipt(deliveryId: waiting, report: .delivered, detail: nil, receivedAt: t0))?.status == .pending)
            #expect(try await store.claim(.sms, at: t0.plus(600)).map(\.delivery.id) == [waiting])
        }
    }
}
