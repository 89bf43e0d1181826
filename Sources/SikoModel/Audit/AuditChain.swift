import Crypto
import Foundation

/// The hash chain over the audit trail: each entry's hash covers its own fields and the hash before
/// it, so editing, inserting or removing a row breaks every link after it. Pure: the store computes
/// hashes on append, `siko audit verify` recomputes them.
public enum AuditChain {
    /// The `previousHash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Hex SHA-256 over the sequence number, the previous hash and every field, each length-prefixed
    /// so no two different entries can encode alike. Times count in whole milliseconds, as stored.
    public static func hash(sequence: Int64, previousHash: String, record: AuditRecord) -> String {
        let millis = Int64((record.at.timeIntervalSince1970 * 1000).rounded())
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + record.object.utf8.count + (record.detail?.utf8.count ?? 0))
        func append(_ field: String) {
            bytes.append(contentsOf: String(field.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: field.utf8)
        }
        append(String(sequence))
        append(previousHash)
        append(String(millis))
        append(record.partner)
        append(record.actor)
        append(record.action)
        append(record.object)
        append(record.detail.map { "1" + $0 } ?? "0")
        return Hex.encode(SHA256.hash(data: bytes))
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
