import Foundation
import HTTPTypes
import SikoChannels
import Synchronization

/// Checks Standard Webhooks signatures on requests from keys that require them, so a leaked bearer
/// key alone cannot publish: the `webhook-timestamp` must lie within five minutes of now, the
/// `webhook-signature` must match the body, and a `webhook-id` is accepted once.
struct RequestSignature: Sendable {
    static let window: TimeInterval = 300
    static let idField = HTTPField.Name("webhook-id")!
    static let timestampField = HTTPField.Name("webhook-timestamp")!
    static let signatureField = HTTPField.Name("webhook-signature")!

    enum Refusal: Error, Equatable {
        case missing
        case malformed(String)
        case outsideWindow
        case mismatch
        case replayed
    }

    struct Headers {
        var id: String?
        var timestamp: String?
        var signature: String?
    }

    /// `webhook-id`s seen within the window, per key.
    let seen = ReplayMemory()

    func check(_ headers: Headers, body: some DataProtocol, secret: String, keyID: String, now: Date) throws(Refusal) {
        guard let id = headers.id, let timestampText = headers.timestamp, let header = headers.signature else { throw .missing }
        guard !id.isEmpty, id.utf8.count <= 128 else { throw .malformed("webhook-id must be 1 to 128 characters") }
        guard header.utf8.count <= 2048 else { throw .malformed("webhook-signature is too long") }
        guard let timestamp = Int(timestampText) else { throw .malformed("webhook-timestamp must be Unix seconds") }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= Self.window else { throw .outsideWindow }
        guard let signer = try? WebhookSigner(secret: secret),
              signer.isValid(header: header, id: id, timestamp: timestamp, body: body) else { throw .mismatch }
        // Only a correctly signed request takes an id, so nobody can block ids they cannot sign.
        guard seen.insert(keyID + " " + id, now: now, keepFor: Self.window * 2) else { throw .replayed }
    }
}

/// Recently seen ids with their expiry; expired ones are dropped as new ones arrive.
final class ReplayMemory: Sendable {
    private let entries = Mutex<(expiries: [String: Date], sweepAt: Date)>(([:], .distantPast))

    /// False when `id` was seen and has not expired.
    func insert(_ id: String, now: Date, keepFor: TimeInterval) -> Bool {
        entries.withLock { state in
            if now >= state.sweepAt {
                state.expiries = state.expiries.filter { $0.value > now }
                state.sweepAt = now.addingTimeInterval(60)
            }
            if let expiry = state.expiries[id], expiry > now { return false }
            state.expiries[id] = now.addingTimeInterval(keepFor)
            return true
        }
    }
}
