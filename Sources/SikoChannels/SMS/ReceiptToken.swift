import Crypto
import Foundation

/// The token in a delivery-report URL: HMAC-SHA256 of the delivery id under the gateway's callback
/// secret, so a report can only come from where the gateway sent it, and nothing needs storing.
public struct ReceiptToken: Sendable {
    private let key: SymmetricKey

    public init(secret: [UInt8]) { key = SymmetricKey(data: secret) }

    public func token(for deliveryID: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(deliveryID.utf8), using: key)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Constant-time, so the comparison leaks nothing about the right token.
    public func verify(_ token: String, for deliveryID: String) -> Bool {
        let expected = Array(self.token(for: deliveryID).utf8)
        let given = Array(token.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
