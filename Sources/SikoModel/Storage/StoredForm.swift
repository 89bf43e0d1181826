import Foundation

/// How model values are stored, the same in every engine, so `siko store copy` moves rows from one
/// to another without translating them: times as Unix milliseconds, slug lists comma-joined, JSON
/// as text with sorted keys, states by their raw values.
public enum StoredForm {
    public static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func millis(_ date: Date?) -> Int64? { date.map(millis) }
    public static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    public static func date(_ millis: Int64?) -> Date? { millis.map(date) }

    /// Slugs contain no commas, so lists of them are stored comma-joined.
    public static func list(_ values: [String]) -> String { values.joined(separator: ",") }
    public static func list(_ text: String) -> [String] { text.isEmpty ? [] : text.split(separator: ",").map(String.init) }

    public static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func enumValue<T: RawRepresentable>(_ raw: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw StoreError.corrupt("unexpected value '\(raw)' for \(T.self)") }
        return value
    }

    /// States written into the SQL as literals, not bound: both engines use a partial index
    /// (`delivery_due`, `delivery_lease`, `delivery_subscription`) only when the query's own text
    /// implies its `WHERE`.
    public static func literals(_ statuses: [DeliveryStatus]) -> String {
        "(" + statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }

    public static func literal(_ status: DeliveryStatus) -> String { "'\(status.rawValue)'" }
}
