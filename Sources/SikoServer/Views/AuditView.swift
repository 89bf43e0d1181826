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

    enum CodingKeys: String, CodingKey { case sequence, at, partner, actor, action, object, detail, previousHash, hash }

    /// Writes `detail` as `null` when there is none, so every entry has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(at, forKey: .at)
        try container.encode(partner, forKey: .partner)
        try container.encode(actor, forKey: .actor)
        try container.encode(action, forKey: .action)
        try container.encode(object, forKey: .object)
        try container.encode(detail, forKey: .detail)
        try container.encode(previousHash, forKey: .previousHash)
        try container.encode(hash, forKey: .hash)
    }
}

struct AuditPage: Encodable {
    var entries: [AuditEntryView]
    /// The `after` for the next page; null on the last.
    var next: Int64?

    enum CodingKeys: String, CodingKey { case entries, next }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(next, forKey: .next)
    }
}
