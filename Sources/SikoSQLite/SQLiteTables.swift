import Foundation
import GRDB
import SikoModel

/// The embedded store's tables for `siko store copy`, on one connection of their own (a
/// `DatabaseQueue`) that may keep a transaction open from one access to the next: a copy reads a
/// whole store as of one moment and writes a whole store in one transaction, a page per access.
public final class SQLiteTables: StoreTables {
    private let queue: DatabaseQueue
    public let name: String

    /// `readOnly` for a source: a copy never changes the store it copies.
    public init(path: String, readOnly: Bool) throws {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
        name = "sqlite:\(path)"
    }

    public func standing() async throws -> SchemaStanding {
        let migrator = SQLiteSchema.migrator
        let applied = try await queue.read { db in try migrator.appliedIdentifiers(db) }
        return SchemaStanding(applied: applied, known: migrator.migrations)
    }

    public func tables() async throws -> Set<String> {
        try await queue.read { db in
            try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
        }
    }

    public func counts(of tables: [StoredTable]) async throws -> [String: Int] {
        let present = try await self.tables()
        return try await queue.read { db in
            var counts: [String: Int] = [:]
            for table in tables where present.contains(table.name) {
                switch table.made {
                case .none: counts[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(Self.quoted(table.name))") ?? 0
                case .everyRow: counts[table.name] = 0
                case .row(let column, let value):
                    counts[table.name] = try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM \(Self.quoted(table.name)) WHERE \(Self.quoted(column)) IS NOT ?", arguments: [value]
                    ) ?? 0
                }
            }
            return counts
        }
    }

    public func migrate() async throws {
        try SQLiteSchema.migrator.migrate(queue)
    }

    public func columns(of table: String) async throws -> [String] {
        try await queue.read { db in try db.columns(in: table).map(\.name) }
    }

    public func read(_ body: (any TableReader) async throws -> Void) async throws {
        try await transaction(.deferred) { try await body(Reader(queue: queue)) }
    }

    /// SQLite has no sequences to move: audit numbers and row ids continue after the largest stored.
    public func write(_ body: (any TableWriter) async throws -> Void) async throws {
        try await transaction(.immediate) { try await body(Writer(queue: queue)) }
    }

    public func close() async {
        try? queue.close()
    }

    private func transaction(_ kind: Database.TransactionKind, _ body: () async throws -> Void) async throws {
        try await queue.writeWithoutTransaction { db in try db.beginTransaction(kind) }
        do {
            try await body()
        } catch {
            // SQLite may have rolled back already (after some errors it does so itself).
            try? await queue.writeWithoutTransaction { db in if db.isInsideTransaction { try db.rollback() } }
            throw error
        }
        try await queue.writeWithoutTransaction { db in try db.commit() }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Pages by the primary key (GRDB names the row id where a table has none), so each page is a range of an
    /// index however far into the table it is, and no row is read twice or skipped.
    struct Reader: TableReader {
        let queue: DatabaseQueue

        func rows(of table: String, columns: [String], size: Int, _ page: ([[StoredCell]]) async throws -> Void) async throws {
            let key = try await queue.writeWithoutTransaction { db in try db.primaryKey(table).columns }
            let selected = columns + key.filter { !columns.contains($0) }
            let keyPositions = key.map { selected.firstIndex(of: $0)! }
            let keyList = key.map(quoted).joined(separator: ", ")
            let select = "SELECT \(selected.map(quoted).joined(separator: ", ")) FROM \(quoted(table))"
            let order = " ORDER BY \(keyList) LIMIT \(size)"
            var after: [DatabaseValue]?
            while true {
                let bound = after
                let (cells, last) = try await queue.writeWithoutTransaction { db in
                    let rows: [Row]
                    if let bound {
                        let marks = Array(repeating: "?", count: bound.count).joined(separator: ", ")
                        rows = try Row.fetchAll(db, sql: select + " WHERE (\(keyList)) > (\(marks))" + order, arguments: StatementArguments(bound))
                    } else {
                        rows = try Row.fetchAll(db, sql: select + order)
                    }
                    let cells = try rows.map { row in try (0..<columns.count).map { try Self.cell(row[$0] as DatabaseValue, table, columns[$0]) } }
                    return (cells, rows.last.map { last in keyPositions.map { last[$0] as DatabaseValue } })
                }
                guard let last, !cells.isEmpty else { return }
                try await page(cells)
                if cells.count < size { return }
                after = last
            }
        }

        static func cell(_ value: DatabaseValue, _ table: String, _ column: String) throws -> StoredCell {
            switch value.storage {
            case .null: return .null
            case .int64(let number): return .integer(number)
            case .string(let text): return .text(text)
            case .blob(let data): return .bytes(Array(data))
            case .double(let number):
                // No column holds a real; an integer that SQLite's affinity turned into one is taken back.
                guard let whole = Int64(exactly: number) else { throw StoreError.corrupt("\(table).\(column) holds the real number \(number)") }
                return .integer(whole)
            }
        }
    }

    struct Writer: TableWriter {
        let queue: DatabaseQueue

        func clearMade(_ table: StoredTable) async throws {
            try await queue.writeWithoutTransaction { db in
                switch table.made {
                case .none: break
                case .everyRow: try db.execute(sql: "DELETE FROM \(quoted(table.name))")
                case .row(let column, let value): try db.execute(sql: "DELETE FROM \(quoted(table.name)) WHERE \(quoted(column)) = ?", arguments: [value])
                }
            }
        }

        func insert(into table: String, columns: [String], rows: [[StoredCell]]) async throws {
            let sql = "INSERT INTO \(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
            try await queue.writeWithoutTransaction { db in
                let statement = try db.cachedStatement(sql: sql)
                for row in rows { try statement.execute(arguments: StatementArguments(row.map(\.databaseValue))) }
            }
        }
    }
}

extension StoredCell {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .bytes(let bytes): Data(bytes).databaseValue
        }
    }
}
