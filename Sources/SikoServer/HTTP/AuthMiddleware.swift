import Foundation
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
        var context = context
        context.identity = identity
        context.logger[metadataKey: "partner"] = "\(identity.partner)"
        context.logger[metadataKey: "key"] = "\(identity.keyID)"
        return try await next(request, context)
    }
}
