import Foundation

/// Time-ordered ids with a readable prefix (`evt_`, `dlv_`, `sub_`): 48 bits of milliseconds and
/// 80 random bits in Crockford base32, so ids sort by creation time and page well, newest first.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    public static func make(_ prefix: String, at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix, at: date, using: &generator)
    }

    public static func make(_ prefix: String, at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let random = generator.next() as UInt64
        let random2 = generator.next() as UInt16
        var characters = [UInt8](repeating: 0, count: 26)
        // 10 characters of time (50 bits, top 2 always zero), then 16 of randomness (80 bits).
        for index in 0..<10 {
            characters[9 - index] = alphabet[Int((millis >> (5 * UInt64(index))) & 31)]
        }
        for index in 0..<12 {
            characters[10 + index] = alphabet[Int((random >> (5 * UInt64(index))) & 31)]
        }
        let tail = (UInt32(random2) << 4) | UInt32(random >> 60)
        for index in 0..<4 {
            characters[22 + index] = alphabet[Int((tail >> (5 * UInt32(index))) & 31)]
        }
        return prefix + "_" + String(decoding: characters, as: UTF8.self)
    }

    /// The smallest id made at `date`: every id made then or later sorts at or above it.
    public static func lowerBound(_ prefix: String, at date: Date) -> String {
        var zero = ZeroGenerator()
        return make(prefix, at: date, using: &zero)
    }

    private struct ZeroGenerator: RandomNumberGenerator {
        mutating func next() -> UInt64 { 0 }
    }

    /// `length` random characters of the same alphabet: lowercase letters and digits, easy to read aloud.
    public static func randomToken(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<length).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] }, as: UTF8.self)
    }
}
