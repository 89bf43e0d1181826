import Crypto
import Foundation
import SikoModel

/// The hash chain over the audit trail: each entry's hash covers its own fields and the hash before
/// it, so editing, inserting or removing a row breaks every link after it. Pure: the store computes
/// hashes on append, `siko audit verify` recomputes them.
public enum AuditChain {
    /// The `previousHash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Hex SHA-256 over the sequence number, the previous hash and every field, each length-prefixed
    /// so no two different entries can encode alike. Times count in whole milliseconds, as stored.
    public static func hash(sequence: Int64, previousHash: String, record: AuditRecord) -> String {
        var hasher = SHA256()
        let detail = record.detail.map { "1" + $0 } ?? "0"
        let fields = [
            String(sequence), previousHash, String(Int64((record.at.timeIntervalSince1970 * 1000).rounded())),
            record.partner, record.actor, record.action, record.object, detail,
        ]
        for field in fields {
            hasher.update(data: Array("\(field.utf8.count):".utf8))
            hasher.update(data: Array(field.utf8))
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Where the chain first breaks, and why.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public var sequence: Int64
        public var reason: String
        public var description: String { "entry \(sequence): \(reason)" }
    }

    /// Checks entries in order, page by page, so a long trail never needs to fit in memory.
    public struct Verifier: Sendable {
        public private(set) var checked = 0
        public private(set) var head = AuditChain.genesis
        private var lastSequence: Int64 = 0

        public init() {}

        /// The first break in `entries`, which continue the ones checked before; nil while intact.
        public mutating func check(_ entries: [AuditEntry]) -> Break? {
            for entry in entries {
                if entry.sequence != lastSequence + 1 {
                    return Break(sequence: entry.sequence, reason: "follows entry \(lastSequence): entries are missing")
                }
                if entry.previousHash != head {
                    return Break(sequence: entry.sequence, reason: "does not link to the entry before it (an entry before it was edited or replaced)")
                }
                if AuditChain.hash(sequence: entry.sequence, previousHash: entry.previousHash, record: entry.record) != entry.hash {
                    return Break(sequence: entry.sequence, reason: "its content does not match its hash (the entry was edited)")
                }
                lastSequence = entry.sequence
                head = entry.hash
                checked += 1
            }
            return nil
        }
    }
}
