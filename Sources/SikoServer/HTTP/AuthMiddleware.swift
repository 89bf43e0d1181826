import Foundation
import Hummingbird
import Logging

/// Recognises `Authorization: Bearer <key>` and puts the caller into the context; 401 otherwise.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SikoRequestContext
    let keys: KeyAuthority

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { throw Problem.unauthorized() }
        guard let identity = try await keys.authenticate(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
            throw Problem.unauthorized()
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "partner"] = "\(identity.partner)"
        context.logger[metadataKey: "key"] = "\(identity.keyID)"
        return try await next(request, context)
    }
}
