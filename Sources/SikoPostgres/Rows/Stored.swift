import Foundation
import PostgresNIO
import SikoModel

/// PostgreSQL stores values in the form both engines share.
typealias Stored = StoredForm

extension StoredForm {
    static func json(_ value: some Encodable) throws -> String { String(decoding: try jsonEncoder.encode(value), as: UTF8.self) }
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try JSONDecoder().decode(T.self, from: Data(text.utf8)) }
}

/// Reads a row's cells in order, as a record's select list names them.
struct Cells {
    private let row: PostgresRandomAccessRow
    private var index = 0

    init(_ row: PostgresRow) { self.row = PostgresRandomAccessRow(row) }

    mutating func next<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        defer { index += 1 }
        return try row[index].decode(T.self)
    }

    mutating func millis() throws -> Date { Stored.date(try next(Int64.self)) }
    mutating func optionalMillis() throws -> Date? { Stored.date(try next(Int64?.self)) }
    mutating func enumValue<T: RawRepresentable>(_ type: T.Type = T.self) throws -> T where T.RawValue == String {
        try Stored.enumValue(try next(String.self))
    }
}
