import Foundation
import HummingbirdOTP
import SikoModel

/// TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, what every authenticator app reads). A code
/// is accepted one step either side of now, for clocks that drift, and each step only once.
public enum SecondFactor {
    public static let issuer = "SiKo Gateway"
    static let step: Int64 = 30
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// 32 random characters (160 bits, what RFC 4226 recommends); their bytes are the HMAC key.
    public static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The `otpauth://` URI an authenticator app scans, labelled `SiKo Gateway:login`.
    public static func uri(secret: String, login: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(login)", issuer: issuer)
    }

    /// The code an app shows at `date`, six digits.
    public static func code(secret: String, at date: Date) -> String {
        let value = TOTP(secret: secret).compute(date: date)
        let digits = String(value)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The time step `code` belongs to at `now` (now's, or one either side), when newer than
    /// `lastStep`; nil when it matches none of those, or only a step already used.
    public static func acceptedStep(code: String, secret: String, lastStep: Int64?, at now: Date) -> Int64? {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == 6, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let current = Int64(floor(now.timeIntervalSince1970 / Double(step)))
        for candidate in [current - 1, current, current + 1] where candidate > (lastStep ?? .min) {
            let expected = Self.code(secret: secret, at: Date(timeIntervalSince1970: Double(candidate * step)))
            if constantTimeEqual(expected, typed) { return candidate }
        }
        return nil
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A second factor just set up: the URI to scan, shown this once.
public struct SecondFactorEnrolment: Sendable, Equatable {
    public var user: User
    public var uri: String
}
