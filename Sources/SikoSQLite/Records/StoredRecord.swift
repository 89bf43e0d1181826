import Foundation
import GRDB
import SikoModel

/// A table's record, reading and writing its columns in one fixed order: `init(row:)` reads by
/// position (GRDB's decoding by name lowercases the column name on every access), so every select
/// of a record names `columns` in this order, by `databaseSelection` or `sql.selection`.
protocol StoredRecord: FetchableRecord, PersistableRecord {
    static var columns: [Column] { get }
    static var sql: RecordSQL { get }
    /// In the order of `columns`.
    var storedValues: [(any DatabaseValueConvertible)?] { get }
}

/// A record's SQL, made once from its columns, for the statements written as text.
struct RecordSQL: Sendable {
    /// The columns in the record's order, for a select list or a `RETURNING`.
    let selection: String
    let insert: String
    /// The rows whose `id` is in a JSON array: one statement however many ids.
    let byIDs: String

    init(table: String, columns: [Column]) {
        selection = columns.map(\.name).joined(separator: ", ")
        insert = "INSERT INTO \(table) (\(selection)) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        byIDs = "SELECT \(selection) FROM \(table) WHERE id IN (SELECT value FROM json_each(?))"
    }
}

extension StoredRecord {
    func encode(to container: inout PersistenceContainer) {
        for (column, value) in zip(Self.columns, storedValues) { container[column] = value }
    }

    /// The insert of hot paths: one statement prepared once per connection, with no container to
    /// build per row.
    func insertCached(_ db: Database) throws {
        try db.cachedStatement(sql: Self.sql.insert).execute(arguments: StatementArguments(storedValues))
    }

    /// Rows by id on hot paths, through a prepared statement (a query-interface request is built
    /// and prepared anew each time).
    static func fetchAll(_ db: Database, ids: Set<String>) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql.byIDs), arguments: [try StoredValue.jsonArray(ids)])
    }
}

/// The embedded store writes values in the form both engines share.
typealias StoredValue = StoredForm

extension StoredForm {
    /// Strings as one JSON array, the argument of a `json_each(?)` list.
    static func jsonArray(_ values: some Sequence<String>) throws -> String {
        String(decoding: try JSONEncoder().encode(Array(values)), as: UTF8.self)
    }
}
