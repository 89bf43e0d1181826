import Crypto
import Foundation

/// Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed
/// with the base64-decoded part of the `whsec_…` secret.
public struct WebhookSigner: Sendable {
    public static let secretPrefix = "whsec_"
    private let key: SymmetricKey

    public enum SecretError: Error, Equatable {
        case malformed
    }

    public init(secret: String) throws(SecretError) {
        guard secret.hasPrefix(Self.secretPrefix),
              let bytes = Data(base64Encoded: String(secret.dropFirst(Self.secretPrefix.count))), bytes.count >= 16 else {
            throw .malformed
        }
        key = SymmetricKey(data: bytes)
    }

    /// A new secret with 256 random bits.
    public static func makeSecret() -> String {
        secretPrefix + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    public func signature(id: String, timestamp: Int, body: some DataProtocol) -> String {
        signature(version: "v1", prefix: "\(id).\(timestamp).", body: body)
    }

    /// True when one of the space-separated `v1,…` signatures in `header` is right; compared in
    /// constant time.
    public func isValid(header: String, id: String, timestamp: Int, body: some DataProtocol) -> Bool {
        isValid(header: header, version: "v1", prefix: "\(id).\(timestamp).", body: body)
    }

    /// `version,` + base64 HMAC-SHA256 over `prefix` followed by `body`: the form every scheme
    /// shares; a scheme differs only in what its prefix binds.
    public func signature(version: String, prefix: String, body: some DataProtocol) -> String {
        version + "," + Data(mac(prefix: prefix, body: body)).base64EncodedString()
    }

    /// True when one of the space-separated `version,…` signatures in `header` is right (at most
    /// eight are looked at); compared in constant time.
    public func isValid(header: String, version: String, prefix: String, body: some DataProtocol) -> Bool {
        let expected = mac(prefix: prefix, body: body)
        let tag = version + ","
        return header.split(separator: " ").prefix(8).contains { candidate in
            guard candidate.hasPrefix(tag), let given = Data(base64Encoded: String(candidate.dropFirst(tag.count))) else { return false }
            return expected == given
        }
    }

    private func mac(prefix: String, body: some DataProtocol) -> HashedAuthenticationCode<SHA256> {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array(prefix.utf8))
        hmac.update(data: body)
        return hmac.finalize()
    }
}
