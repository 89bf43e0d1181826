import Foundation
import HTTPTypes
import Hummingbird
import SikoModel
import Logging

/// Recognises `Authorization: Bearer <key>` and puts the caller into the context; 401 otherwise.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SikoRequestContext
    let keys: KeyAuthority
    /// Nil: no limit (benchmarks).
    let limiter: RateLimiter?
    let clock: any WallClock
    let signatures: RequestSignature

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { throw Problem.unauthorized() }
        guard let identity = try await keys.authenticate(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
            throw Problem.unauthorized()
        }
        if let limiter, let wait = limiter.take(key: identity.keyID, now: clock.now()) {
            let seconds = Int(wait.rounded(.up))
            var problem = Problem(
                status: .tooManyRequests, type: "rate-limited", title: "Too many requests",
                detail: "this key sends faster than its limit; try again in \(seconds) s"
            )
            problem.headers[.retryAfter] = String(max(1, seconds))
            throw problem
        }
        var request = request
        if let secret = identity.signingSecret {
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            request.body = .init(buffer: body)
            let headers = RequestSignature.Headers(
                id: request.headers[RequestSignature.idField], timestamp: request.headers[RequestSignature.timestampField],
                signature: request.headers[RequestSignature.signatureField]
            )
            do {
                try signatures.check(headers, body: body.readableBytesView, secret: secret, keyID: identity.keyID, now: clock.now())
            } catch {
                throw Self.problem(error)
            }
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "partner"] = "\(identity.partner)"
        context.logger[metadataKey: "key"] = "\(identity.keyID)"
        return try await next(request, context)
    }

    private static func problem(_ refusal: RequestSignature.Refusal) -> Problem {
        let detail = switch refusal {
        case .missing: "this key's requests must be signed: webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)"
        case .malformed(let reason): reason
        case .outsideWindow: "webhook-timestamp is more than 5 minutes from the gateway's time"
        case .mismatch: "webhook-signature does not match the request body"
        case .replayed: "this webhook-id was already used; every request needs a new one"
        }
        return Problem(status: .unauthorized, type: "invalid-signature", title: "Invalid request signature", detail: detail)
    }
}
