import Foundation
import Hummingbird
import HummingbirdAuth
import SikoCore
import SikoModel

/// Recognises the person behind the session the session middleware loaded: read fresh from the
/// store on every request, so a disabled person or a changed role takes effect at once. Before
/// sign-in, forms carry the token of the sign-in cookie instead.
struct ConsoleSignIn: RouterMiddleware {
    typealias Context = ConsoleContext
    let signIn: SignInService
    let lifetime: SessionLifetime
    let clock: any WallClock
    let secureCookies: Bool

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        var context = context
        if let language = request.cookies[InfoPages.languageCookie].flatMap({ Language(rawValue: $0.value) }) { context.language = language }
        if let session = context.sessions.session {
            if session.isWithinAbsoluteLimit(at: clock.now(), lifetime: lifetime), let user = try await signIn.activeUser(id: session.userID) {
                context.identity = Identity.signedIn(user)
                context.csrfToken = session.csrfToken
                context.language = session.language
            } else {
                context.sessions.clearSession()
                context.sessionExpired = true
            }
        } else if request.cookies[Console.sessionCookie] != nil {
            // The browser still holds a cookie the store no longer knows: idle or absolute end.
            context.sessionExpired = true
        }
        var fresh: String? = nil
        if context.identity == nil {
            if let token = request.cookies[CSRFToken.cookie]?.value, !token.isEmpty {
                context.csrfToken = token
            } else {
                fresh = CSRFToken.make()
                context.csrfToken = fresh
            }
        }
        var response = try await next(request, context)
        if let fresh {
            let cookie = Cookie(name: CSRFToken.cookie, value: fresh, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
            response.headers[values: .setCookie].append(cookie.description)
        }
        return response
    }
}
