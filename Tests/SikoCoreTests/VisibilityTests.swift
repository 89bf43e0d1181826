import Foundation
import SikoModel
import SikoTestSupport
import Testing
@testable import SikoCore

@Suite("Visibility and scopes: what a caller may read and do")
struct VisibilityTests {
    let essen = Identity(partner: "stadt-essen", keyID: "siko_essen", scopes: [.deliveriesRead])
    let admin = Identity(partner: "geschaeftsstelle", keyID: "siko_admin", scopes: [.admin])

    func delivery(partner: String) -> Delivery {
        Delivery(
            id: "dlv_1", eventId: "evt_1", subscriptionId: "sub_1", partner: partner, channel: .webhook, target: "https://lage.bochum.example/hook",
            status: .dead, attempts: 3, lastError: "HTTP 500 from lage.bochum.example", nextAttemptAt: nil, content: .full, rule: nil,
            createdAt: Date(), updatedAt: Date()
        )
    }

    @Test("another partner's delivery shows its partner and state but neither target nor error, in the delivery, its attempts and its reports")
    func othersMasked() {
        let bochum = delivery(partner: "stadt-bochum")
        let seen = Visibility.delivery(bochum, for: essen)
        #expect(seen.partner == "stadt-bochum" && seen.status == .dead && seen.attempts == 3)
        #expect(seen.target == "***" && seen.lastError == "***")
        let attempt = Attempt(deliveryId: "dlv_1", number: 1, startedAt: Date(), finishedAt: Date(), status: .failed, responseCode: 500, error: "HTTP 500")
        #expect(Visibility.attempt(attempt, of: bochum, for: essen).error == "***")
        #expect(Visibility.attempt(attempt, of: bochum, for: essen).responseCode == 500)
        let receipt = Receipt(deliveryId: "dlv_1", report: .failed, detail: "NACK/+4917012345678", receivedAt: Date())
        #expect(Visibility.receipt(receipt, of: bochum, for: essen).detail == "***")
    }

    @Test("one's own deliveries, and everyone's for an admin, show in full")
    func ownInFull() {
        #expect(Visibility.delivery(delivery(partner: "stadt-essen"), for: essen).target == "https://lage.bochum.example/hook")
        #expect(Visibility.delivery(delivery(partner: "stadt-bochum"), for: admin).lastError == "HTTP 500 from lage.bochum.example")
    }

    @Test("a missing scope is refused by name; admin implies every scope")
    func scopes() {
        #expect(throws: ServiceError.missingScope(.eventsPublish)) { try essen.require(.eventsPublish) }
        #expect(throws: Never.self) { try admin.require(.eventsPublish) }
        #expect(essen.visibleTo == "stadt-essen" && admin.visibleTo == nil)
    }

    @Test("audit entries name the partner and the key, never more")
    func auditRecord() {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let record = essen.auditRecord(.deliveryRetry, object: "dlv_1", at: at)
        #expect(record == AuditRecord(at: at, partner: "stadt-essen", actor: "siko_essen", action: .deliveryRetry, object: "dlv_1"))
        #expect(Identity.operator.auditRecord(.keyCreate, object: "siko_x", at: at).actor == "cli")
    }
}
