import Foundation
import HTTPTypes
import SikoChannels
import SikoCore
import SikoModel

/// Checks signatures on requests from keys that require them, so a leaked bearer key alone cannot
/// act. The signature (`v2`) covers `{id}.{timestamp}.{METHOD}.{path?query}.{body}`, so a captured
/// request cannot be sent again as another method or to another path; the `webhook-timestamp`
/// must lie within five minutes of now, and a `webhook-id` is accepted once per key, remembered
/// in the store so a restart forgets nothing. Webhooks the gateway sends keep Standard Webhooks'
/// `v1`, which partners' receivers check with the usual libraries.
struct RequestSignature: Sendable {
    static let window: TimeInterval = 300
    static let version = "v2"
    static let idField = HTTPField.Name("webhook-id")!
    static let timestampField = HTTPField.Name("webhook-timestamp")!
    static let signatureField = HTTPField.Name("webhook-signature")!

    enum Refusal: Error, Equatable {
        case missing
        case malformed(String)
        case outsideWindow
        /// Only signatures of an older form, which do not bind method and path.
        case outdated
        case mismatch
        case replayed
    }

    struct Headers {
        var id: String?
        var timestamp: String?
        var signature: String?
    }

    /// What the signature binds besides the headers and the body: the method and the request
    /// target exactly as received (path and raw query, before any decoding).
    struct Target {
        var method: String
        var path: String
    }

    let replays: any ReplayMemory

    /// Throws `Refusal` for a request that is not correctly signed or was seen before; other
    /// errors when the store cannot answer.
    func check(_ headers: Headers, target: Target, body: some DataProtocol, secret: String, keyID: String, now: Date) async throws {
        let signed = try Self.verify(headers, target: target, body: body, secret: secret, now: now)
        // Only a correctly signed request takes an id, so nobody can block ids they cannot sign.
        let isNew = try await replays.rememberSignedRequest(
            keyID: keyID, requestID: signed.id, signedAt: signed.at, forgetBefore: now.addingTimeInterval(-Self.window)
        )
        guard isNew else { throw Refusal.replayed }
    }

    /// Everything but the replay check; answers the request's id and signed time.
    static func verify(
        _ headers: Headers, target: Target, body: some DataProtocol, secret: String, now: Date
    ) throws(Refusal) -> (id: String, at: Date) {
        guard let id = headers.id, let timestampText = headers.timestamp, let header = headers.signature else { throw .missing }
        guard !id.isEmpty, id.utf8.count <= 128 else { throw .malformed("webhook-id must be 1 to 128 characters") }
        guard header.utf8.count <= 2048 else { throw .malformed("webhook-signature is too long") }
        guard let timestamp = Int(timestampText) else { throw .malformed("webhook-timestamp must be Unix seconds") }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= window else { throw .outsideWindow }
        guard header.split(separator: " ").contains(where: { $0.hasPrefix(version + ",") }) else { throw .outdated }
        guard let signer = try? WebhookSigner(secret: secret),
              signer.isValid(header: header, version: version, prefix: prefix(id: id, timestamp: timestamp, target: target), body: body)
        else { throw .mismatch }
        return (id, Date(timeIntervalSince1970: Double(timestamp)))
    }

    /// The `webhook-signature` value a client sends: `v2,` + base64 HMAC-SHA256.
    static func signature(
        secret: String, id: String, timestamp: Int, target: Target, body: some DataProtocol
    ) throws -> String {
        try WebhookSigner(secret: secret).signature(version: version, prefix: prefix(id: id, timestamp: timestamp, target: target), body: body)
    }

    private static func prefix(id: String, timestamp: Int, target: Target) -> String {
        "\(id).\(timestamp).\(target.method).\(target.path)."
    }
}
