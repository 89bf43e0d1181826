import SikoCore
import Foundation
import HTTPTypes
import Hummingbird
import SikoModel
import Logging

/// Recognises `Authorization: Bearer <key>` and puts the caller into the context; 401 otherwise.
/// Unknown keys spend their client address's guesses; a signing key's request is checked before
/// it spends the key's rate limit, so someone holding only the bearer cannot use it up.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SikoRequestContext
    let keys: KeyAuthority
    /// Nil: no limit (benchmarks).
    let limiter: RateLimiter?
    let guesses: GuessThrottle
    let clock: any WallClock
    let signatures: RequestSignature

    /// The key after "Bearer ", without the blanks around it (Foundation's trimming costs more than
    /// the rest of recognising a cached key).
    static func token(_ header: String) -> String {
        var token = header.utf8.dropFirst(7)
        while let first = token.first, first == 0x20 || first == 0x09 { token.removeFirst() }
        while let last = token.last, last == 0x20 || last == 0x09 { token.removeLast() }
        return String(Substring(token))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = guesses.client(of: request, context: context)
        try guesses.admit(client, now: clock.now())
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer ",
              let identity = try await keys.authenticate(Self.token(header)) else {
            guesses.missed(client, now: clock.now())
            throw Problem.unauthorized()
        }
        var request = request
        if let secret = identity.signingSecret {
            let body = try await request.body.collect(upTo: context.uploadLimit(for: request))
            request.body = .init(buffer: body)
            let headers = RequestSignature.Headers(
                id: request.headers[RequestSignature.idField], timestamp: request.headers[RequestSignature.timestampField],
                signature: request.headers[RequestSignature.signatureField]
            )
            let target = RequestSignature.Target(method: request.method.rawValue, path: request.head.path ?? "")
            do {
                try await signatures.check(headers, target: target, body: body.readableBytesView, secret: secret, keyID: identity.keyID, now: clock.now())
            } catch let refusal as RequestSignature.Refusal {
                throw Self.problem(refusal)
            }
        }
        if let limiter, let wait = limiter.take(key: identity.keyID, now: clock.now()) {
            throw Problem.rateLimited(after: wait, detail: "this key sends faster than its limit")
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "partner"] = "\(identity.partner)"
        context.logger[metadataKey: "key"] = "\(identity.keyID)"
        return try await next(request, context)
    }

    private static func problem(_ refusal: RequestSignature.Refusal) -> Problem {
        let detail = switch refusal {
        case .missing: "this key's requests must be signed: webhook-id, webhook-timestamp and webhook-signature"
        case .malformed(let reason): reason
        case .outsideWindow: "webhook-timestamp is more than 5 minutes from the gateway's time"
        case .outdated: "webhook-signature has no v2 signature: sign {id}.{timestamp}.{METHOD}.{path?query}.{body} and send v2,<base64>"
        case .mismatch: "webhook-signature does not match the request's method, path, query and body"
        case .replayed: "this webhook-id was already used; every request needs a new one"
        }
        return Problem(status: .unauthorized, type: "invalid-signature", title: "Invalid request signature", detail: detail)
    }
}
