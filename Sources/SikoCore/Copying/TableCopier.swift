import SikoModel

/// Copies one store into another, table by table, every row with its ids and every column as it
/// is (the audit chain with it: its hashes are the engines' same `AuditChain`), sealed secrets
/// moved to the target's key. The target must be empty and is migrated first; everything is
/// written in one transaction, so a copy that fails leaves the target as empty as it was.
public struct TableCopier: Sendable {
    public let source: any StoreTables
    public let target: any StoreTables
    /// Rows held in memory at once, per table.
    public var pageSize = 1000

    /// Why a copy does not start; nothing was written.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// The tables to copy with the columns that move, once both stores passed the checks.
    public struct Plan: Sendable {
        var tables: [(table: StoredTable, columns: [String])]
    }

    public init(source: any StoreTables, target: any StoreTables) {
        self.source = source
        self.target = target
    }

    /// Checks both stores, migrates the empty target and answers what the copy will move.
    public func plan() async throws -> Plan {
        try await checkSource()
        try await checkTarget()
        try await target.migrate()
        guard try await target.standing() == .current else { throw Refusal(description: "\(target.name) did not migrate to this siko's schema") }
        var tables: [(table: StoredTable, columns: [String])] = []
        for table in StoredTable.all {
            let targetColumns = Set(try await target.columns(of: table.name))
            let columns = try await source.columns(of: table.name).filter { targetColumns.contains($0) || !table.engineOnly.contains($0) }
            if let missing = columns.first(where: { !targetColumns.contains($0) }) {
                throw Refusal(description: "\(target.name) has no column \(table.name).\(missing), which \(source.name) holds")
            }
            tables.append((table, columns))
        }
        return Plan(tables: tables)
    }

    /// The source's sealing canary, by which the command finds the key that opens its secrets.
    public func sourceCanary() async throws -> String? {
        var canary: String?
        try await source.read { reader in
            try await reader.rows(of: "secret", columns: ["name", "value"], size: pageSize) { rows in
                for row in rows where row.first == .text(StoredTable.canary) {
                    if case .text(let value) = row[1] { canary = value }
                }
            }
        }
        return canary
    }

    /// Copies what `plan` names in one transaction on the target; answers the rows per table.
    public func copy(_ plan: Plan, secrets: SecretResealer) async throws -> [(table: StoredTable, rows: Int)] {
        var copied: [(table: StoredTable, rows: Int)] = []
        let size = pageSize
        try await source.read { reader in
            try await target.write { writer in
                for (table, columns) in plan.tables {
                    try await writer.clearMade(table)
                    let sealed = columns.indices.filter { table.sealed.contains(columns[$0]) }
                    var count = 0
                    try await reader.rows(of: table.name, columns: columns, size: size) { rows in
                        let moved = try sealed.isEmpty ? rows : rows.map { row in
                            var row = row
                            for index in sealed { row[index] = try secrets.reseal(row[index], column: "\(table.name).\(columns[index])") }
                            return row
                        }
                        try await writer.insert(into: table.name, columns: columns, rows: moved)
                        count += rows.count
                    }
                    copied.append((table, count))
                }
            }
        }
        return copied
    }

    private func checkSource() async throws {
        switch try await source.standing() {
        case .current: break
        case .blank: throw Refusal(description: "\(source.name) holds no gateway store")
        case .older(let missing):
            throw Refusal(description: "\(source.name) is older than this siko (it lacks \(missing.joined(separator: ", "))); open it once with this siko, e.g. siko audit verify, which brings it up to date, then copy")
        case .newer(let unknown):
            throw Refusal(description: "\(source.name) was written by a newer siko (\(unknown.joined(separator: ", "))); copy it with that version")
        }
        let unknown = try await source.tables().subtracting(StoredTable.all.map(\.name)).subtracting(StoredTable.notCopied)
        guard unknown.isEmpty else {
            throw Refusal(description: "\(source.name) holds tables this siko does not copy (\(unknown.sorted().joined(separator: ", "))); copy it with the siko that made them")
        }
    }

    private func checkTarget() async throws {
        if case .newer(let unknown) = try await target.standing() {
            throw Refusal(description: "\(target.name) was written by a newer siko (\(unknown.joined(separator: ", "))); copy only into a new, empty database")
        }
        let counts = try await target.counts(of: StoredTable.all)
        let held = StoredTable.all.compactMap { table in counts[table.name].flatMap { $0 > 0 ? table.rows($0) : nil } }
        guard held.isEmpty else {
            throw Refusal(description: "\(target.name) is not empty: it holds \(held.joined(separator: ", ")); copy only into a new, empty database")
        }
    }
}
