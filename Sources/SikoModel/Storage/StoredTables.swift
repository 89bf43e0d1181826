/// The gateway's tables as both engines hold them at the schema this build knows, in an order that
/// satisfies the foreign keys (events before their deliveries), for `siko store copy`. Columns are
/// not listed: each engine reads its own, and a copy refuses when the source holds a table not
/// listed here or the target lacks one of the source's columns, so nothing a later migration adds
/// is dropped silently.
public struct StoredTable: Sendable, Equatable {
    /// Rows the schema or any opening of a store makes, which an empty target may hold already
    /// and which the source's replace.
    public enum Made: Sendable, Equatable {
        case none
        /// The table's single row (the credential version, the write probe).
        case everyRow
        /// The one row whose `column` holds `value` (the sealing canary).
        case row(column: String, value: String)
    }

    public var name: String
    /// What one of its rows is, for people.
    public var noun: String
    /// Columns holding `SecretSealing` output.
    public var sealed: Set<String>
    /// Columns one engine alone has; the other does without them.
    public var engineOnly: Set<String>
    public var made: Made

    public init(_ name: String, _ noun: String, sealed: Set<String> = [], engineOnly: Set<String> = [], made: Made = .none) {
        self.name = name
        self.noun = noun
        self.sealed = sealed
        self.engineOnly = engineOnly
        self.made = made
    }

    /// Tables one engine has that a copy leaves behind: what lives only while gateways run (their
    /// presence on PostgreSQL). The source's gateways are stopped; the target's announce themselves.
    public static let notCopied: Set<String> = ["gateway_presence"]

    /// The secret by which a store proves its sealing key, made by the first command that opens it.
    public static let canary = "sealer-canary"

    /// `count` rows as people say it: "1 event", "3 deliveries".
    public func rows(_ count: Int) -> String {
        guard count != 1 else { return "1 \(noun)" }
        let consonantY = noun.hasSuffix("y") && !"aeiou".contains(noun.dropLast().last ?? "a")
        return "\(count) " + (consonantY ? noun.dropLast() + "ies" : noun + "s")
    }

    public static let all: [StoredTable] = [
        StoredTable("user_account", "user", sealed: ["totp_secret"]),
        StoredTable("api_key", "API key", sealed: ["signing_secret"]),
        // `version` is PostgreSQL's change counter, by which gateways sharing the database notice
        // each other's changes; one SQLite file has one gateway.
        StoredTable("subscription", "subscription", sealed: ["secret"], engineOnly: ["version"]),
        // `fingerprint` marks PostgreSQL's originals for the duplicate window over all gateways; an
        // event copied without it is no original, which matters only within one window of the copy.
        StoredTable("event", "event", engineOnly: ["fingerprint"]),
        StoredTable("delivery", "delivery"),
        StoredTable("attempt", "attempt"),
        StoredTable("receipt", "delivery report"),
        StoredTable("secret", "gateway secret", sealed: ["value"], made: .row(column: "name", value: canary)),
        StoredTable("audit", "audit entry"),
        StoredTable("signed_request", "remembered signed request"),
        StoredTable("console_session", "console session"),
        StoredTable("sign_in_failure", "sign-in failure"),
        StoredTable("bulletin", "bulletin"),
        StoredTable("credential_version", "credential version", made: .everyRow),
        StoredTable("write_probe", "write probe", made: .everyRow),
    ]
}

/// A value as either engine holds it: flags as 0 or 1, times as milliseconds, lists and JSON as text.
public enum StoredCell: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case bytes([UInt8])
}

/// Where a store's schema stands against the migrations this build knows.
public enum SchemaStanding: Sendable, Equatable {
    /// No migration yet: a new database.
    case blank
    case current
    /// Some known migrations are not applied yet.
    case older(missing: [String])
    /// Migrations this build does not know are applied: a newer siko wrote it.
    case newer(unknown: [String])

    /// `applied` migration names against the `known` ones, in order.
    public init(applied: Set<String>, known: [String]) {
        let unknown = applied.subtracting(known)
        let missing = known.filter { !applied.contains($0) }
        if !unknown.isEmpty {
            self = .newer(unknown: unknown.sorted())
        } else if applied.isEmpty {
            self = .blank
        } else {
            self = missing.isEmpty ? .current : .older(missing: missing)
        }
    }
}

/// One engine's tables opened for copying, as a source or a target.
public protocol StoreTables: Sendable {
    /// The URL people know the store by, its password hidden.
    var name: String { get }
    func standing() async throws -> SchemaStanding
    /// The tables that hold the gateway's data, the engine's own bookkeeping (its migrations) left out.
    func tables() async throws -> Set<String>
    /// Rows of each of `tables` that exists, rows the schema makes (`StoredTable.made`) left out.
    func counts(of tables: [StoredTable]) async throws -> [String: Int]
    func migrate() async throws
    /// The table's columns in their order.
    func columns(of table: String) async throws -> [String]
    /// Runs `body` on one read-only transaction, so every table is read as of one moment.
    func read(_ body: (any TableReader) async throws -> Void) async throws
    /// Runs `body` in one transaction, then moves the store's sequences past what it wrote: all of it
    /// is written, or nothing.
    func write(_ body: (any TableWriter) async throws -> Void) async throws
    func close() async
}

public protocol TableReader {
    /// Every row of `table` (its `columns`, in that order), handed to `page` at most `size` at a
    /// time, each page before the next is read: memory stays bounded however long the table is.
    func rows(of table: String, columns: [String], size: Int, _ page: ([[StoredCell]]) async throws -> Void) async throws
}

public protocol TableWriter {
    /// Removes the rows the schema made (`StoredTable.made`), so the source's take their place.
    func clearMade(_ table: StoredTable) async throws
    func insert(into table: String, columns: [String], rows: [[StoredCell]]) async throws
}
