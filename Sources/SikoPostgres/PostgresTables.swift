import Foundation
import Logging
import PostgresNIO
import SikoModel

/// The shared store's tables for `siko store copy`. A copy reads in one read-only repeatable-read
/// transaction, so every table is read as of one moment, and writes in one transaction.
public final class PostgresTables: StoreTables {
    private let pool: PostgresPool
    public var name: String { pool.url.description }
    private var client: PostgresClient { pool.client }
    private var logger: Logger { pool.logger }

    /// How long the first connection may take: the pool itself would keep trying for a minute.
    static let reachBound: Duration = .seconds(10)

    public struct Unreachable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Answers once the server has answered a first query, or throws `Unreachable`.
    public init(url: PostgresURL, logger: Logger) async throws {
        let pool = try PostgresPool(url: url, logger: logger)
        do {
            let client = pool.client
            _ = try await PostgresStore.givingUp(after: Self.reachBound) {
                try await client.withConnection { connection in try await connection.execute("SELECT 1", logger: logger) }
            }
        } catch {
            await pool.shutdown()
            let reason = error is PostgresUnreachable
                ? "no connection within \(Self.reachBound) (is the server up, and are host, port, user, password and database right?)"
                : PostgresPool.reason(error)
            throw Unreachable(description: "cannot reach \(url): \(reason)")
        }
        self.pool = pool
    }

    public func standing() async throws -> SchemaStanding {
        let known = PostgresSchema.migrations.map(\.name)
        guard try await exists("siko_migration") else { return .blank }
        let applied = try await rows("SELECT name FROM siko_migration").map { try $0.decode(String.self) }
        return SchemaStanding(applied: Set(applied), known: known)
    }

    public func tables() async throws -> Set<String> {
        Set(try await rows("""
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'siko_migration'
            """).map { try $0.decode(String.self) })
    }

    public func counts(of tables: [StoredTable]) async throws -> [String: Int] {
        let present = try await self.tables()
        var counts: [String: Int] = [:]
        for table in tables where present.contains(table.name) {
            let from = "SELECT count(*) FROM \(Self.quoted(table.name))"
            switch table.made {
            case .none: counts[table.name] = try await count(PostgresQuery(unsafeSQL: from))
            case .everyRow: counts[table.name] = 0
            case .row(let column, let value):
                counts[table.name] = try await count("\(unescaped: from) WHERE \(unescaped: Self.quoted(column)) IS DISTINCT FROM \(value)")
            }
        }
        return counts
    }

    public func migrate() async throws {
        try await pool.migrate()
    }

    public func columns(of table: String) async throws -> [String] {
        try await Self.columns(client: client, logger: logger)[table]?.map(\.name) ?? []
    }

    /// Gateways serving this database: each keeps a connection listening for the others' notices.
    /// Counted from `pg_stat_activity`, which shows other sessions' statements to the same role.
    public func listeningGateways() async throws -> Int {
        try await count("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'
            """)
    }

    public func read(_ body: (any TableReader) async throws -> Void) async throws {
        try await transaction { connection in
            try await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            try await body(Reader(connection: connection, logger: self.logger))
        }
    }

    public func write(_ body: (any TableWriter) async throws -> Void) async throws {
        let client = self.client, logger = self.logger
        let types = try await Self.columns(client: client, logger: logger).mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0.type) }) }
        try await transaction { connection in
            try await body(Writer(connection: connection, logger: logger, types: types))
            // Copied subscriptions keep the numbers the source's sequence gave them; later changes
            // must take numbers past them. (From SQLite the inserts drew fresh numbers: a no-op.)
            try await connection.execute(
                "SELECT setval('subscription_version', max(version)) FROM subscription HAVING max(version) IS NOT NULL", logger: logger
            )
        }
    }

    public func close() async {
        await pool.shutdown()
    }

    /// One transaction on one connection, its own errors unwrapped from postgres-nio's.
    private func transaction(_ body: (PostgresConnection) async throws -> Void) async throws {
        do {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    private func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let logger = self.logger
        return try await client.withConnection { connection in try await connection.rows(query, logger: logger) }
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        Int(try await rows(query).first?.decode(Int64.self) ?? 0)
    }

    private func exists(_ table: String) async throws -> Bool {
        try await rows("SELECT to_regclass(\(table)) IS NOT NULL").first?.decode(Bool.self) ?? false
    }

    /// Every table's columns in order, with their types as a column definition list names them.
    static func columns(client: PostgresClient, logger: Logger) async throws -> [String: [(name: String, type: String)]] {
        let rows = try await client.withConnection { connection in
            try await connection.rows("""
                SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
                WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
                """, logger: logger)
        }
        var columns: [String: [(name: String, type: String)]] = [:]
        for row in rows {
            let (table, column, type) = try row.decode((String, String, String).self)
            columns[table, default: []].append((column, type))
        }
        return columns
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Streams a table: postgres-nio reads rows from the socket as they are taken, so a page waits
    /// in memory while it is written and the rest stays on the server.
    struct Reader: TableReader {
        let connection: PostgresConnection
        let logger: Logger

        func rows(of table: String, columns: [String], size: Int, _ page: ([[StoredCell]]) async throws -> Void) async throws {
            let select = "SELECT \(columns.map(quoted).joined(separator: ", ")) FROM \(quoted(table))"
            var batch: [[StoredCell]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: select), logger: logger) {
                batch.append(try row.map { try Self.cell($0, table) })
                if batch.count == size {
                    try await page(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try await page(batch) }
        }

        static func cell(_ cell: PostgresCell, _ table: String) throws -> StoredCell {
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .text, .varchar: return .text(try cell.decode(String.self))
            case .bytea: return .bytes(Array(try cell.decode(Data.self)))
            default: throw StoreError.corrupt("\(table).\(cell.columnName) is of type \(cell.dataType), which no table of the gateway uses")
            }
        }
    }

    /// Inserts a page as one statement: the rows as one JSON array, spread into columns of the
    /// target's own types by `json_to_recordset` (binds cannot carry arrays with NULLs).
    struct Writer: TableWriter {
        let connection: PostgresConnection
        let logger: Logger
        let types: [String: [String: String]]

        func clearMade(_ table: StoredTable) async throws {
            switch table.made {
            case .none: break
            case .everyRow: try await connection.execute(PostgresQuery(unsafeSQL: "DELETE FROM \(quoted(table.name))"), logger: logger)
            case .row(let column, let value):
                try await connection.execute("DELETE FROM \(unescaped: quoted(table.name)) WHERE \(unescaped: quoted(column)) = \(value)", logger: logger)
            }
        }

        func insert(into table: String, columns: [String], rows: [[StoredCell]]) async throws {
            let types = try columns.map { column in
                guard let type = self.types[table]?[column] else { throw StoreError.corrupt("the target has no column \(table).\(column)") }
                return type
            }
            let records = try rows.map { row in
                Dictionary(uniqueKeysWithValues: try zip(columns, zip(types, row)).map { column, typed in
                    (column, try JSONCell(typed.1, as: typed.0, column: "\(table).\(column)"))
                })
            }
            let list = columns.map(quoted).joined(separator: ", ")
            let definitions = zip(columns, types).map { "\(quoted($0)) \($1)" }.joined(separator: ", ")
            try await connection.execute("""
                INSERT INTO \(unescaped: quoted(table)) (\(unescaped: list))
                SELECT \(unescaped: list) FROM json_to_recordset(\(try Stored.json(records))::json) AS r(\(unescaped: definitions))
                """, logger: logger)
        }
    }

    /// A cell as `json_to_recordset` reads it into a column of `type`: SQLite's 0 and 1 as booleans,
    /// bytes in bytea's hex form, a secret SQLite kept as a blob as its text.
    enum JSONCell: Encodable {
        case null, flag(Bool), number(Int64), text(String)

        init(_ cell: StoredCell, as type: String, column: String) throws {
            switch (cell, type) {
            case (.null, _): self = .null
            case (.integer(let number), "boolean"): self = .flag(number != 0)
            case (.integer(let number), "smallint"), (.integer(let number), "integer"), (.integer(let number), "bigint"): self = .number(number)
            case (.bytes(let bytes), "bytea"): self = .text("\\x" + Hex.encode(bytes))
            case (.text(let text), "bytea"): self = .text("\\x" + Hex.encode(Array(text.utf8)))
            case (.text(let text), "text"): self = .text(text)
            case (.bytes(let bytes), "text"): self = .text(String(decoding: bytes, as: UTF8.self))
            default: throw StoreError.corrupt("\(column) (\(type)) cannot hold \(cell)")
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .flag(let flag): try container.encode(flag)
            case .number(let number): try container.encode(number)
            case .text(let text): try container.encode(text)
            }
        }
    }
}
