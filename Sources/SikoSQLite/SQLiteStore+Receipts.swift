import Foundation
import GRDB
import SikoModel

private typealias D = DeliveryRecord.Columns
private typealias R = ReceiptRecord.Columns

extension SQLiteStore {
    public func recordReceipt(_ receipt: Receipt) async throws -> Delivery? {
        let now = StoredValue.millis(receipt.receivedAt)
        return try await pool.write { db in
            guard let delivery = try DeliveryRecord.fetchOne(db, key: receipt.deliveryId)?.delivery else { return nil }
            let purged = try EventRecord.filter(key: delivery.eventId).filter(EventRecord.Columns.purgedAt != nil).isEmpty(db) == false
            let effect = receipt.effect(on: delivery.status, eventPurged: purged)
            try ReceiptRecord(receipt, detail: effect.detail).insert(db, onConflict: .ignore)
            guard let next = effect.next else { return delivery }
            var changes = [
                D.status.set(to: next.rawValue), D.nextAttemptAt.set(to: nil), D.leaseOwner.set(to: nil), D.leaseExpiresAt.set(to: nil),
                D.updatedAt.set(to: now),
            ]
            if let lastError = effect.lastError { changes.append(D.lastError.set(to: lastError)) }
            try DeliveryRecord.filter(key: receipt.deliveryId).updateAll(db, changes)
            return try DeliveryRecord.fetchOne(db, key: receipt.deliveryId)?.delivery
        }
    }

    public func receipts(deliveryID: String) async throws -> [Receipt] {
        try await pool.read { db in
            try ReceiptRecord.filter(R.deliveryId == deliveryID).order(R.receivedAt, R.code).fetchAll(db).compactMap(\.receipt)
        }
    }
}
