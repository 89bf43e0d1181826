import Foundation
import SikoModel

struct AuditEntryView: Encodable {
    var sequence: Int64
    var at: Date
    var partner: String
    var actor: String
    var action: String
    var object: String
    var detail: String?
    var previousHash: String
    var hash: String

    init(_ entry: AuditEntry) {
        sequence = entry.sequence
        at = entry.record.at
        partner = entry.record.partner
        actor = entry.record.actor
        action = entry.record.action
        object = entry.record.object
        detail = entry.record.detail
        previousHash = entry.previousHash
        hash = entry.hash
    }
}

struct AuditPage: Encodable {
    var entries: [AuditEntryView]
    /// The `after` for the next page; null on the last.
    var next: Int64?
}
