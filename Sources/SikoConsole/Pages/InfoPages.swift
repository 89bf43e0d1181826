import Foundation
import HTTPTypes
import Hummingbird
import SikoModel

/// Pages anyone may open: the accessibility statement, and the language switch.
struct InfoPages: Sendable {
    let console: Console
    /// Keeps the language chosen before sign-in (and for people not signed in).
    static let languageCookie = "siko_lang"

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("barrierefreiheit") { _, context in
            let data: [String: Any] = [
                "german": context.language == .de, "url": console.settings.publicURL, "contact": console.settings.accessibilityContact,
            ]
            return console.renderer.render(.init(template: "accessibility", title: ConsoleText.text("accessibility_title", context.language), data: data), context: context)
        }
        // A preference, not a change of state: safe as a plain link, so it needs no form.
        group.get("sprache/:lang") { request, context in
            guard let language = context.parameters.get("lang").flatMap(Language.init) else { throw ConsoleFailure.notFound }
            let back = request.headers[.referer].flatMap { URLComponents(string: $0)?.path }.flatMap(SignInTarget.local) ?? "/"
            if var session = context.sessions.session {
                session.language = language
                _ = context.sessions.updateSession(session)
            }
            var response = PageRenderer.redirect(to: back)
            let cookie = Cookie(
                name: Self.languageCookie, value: language.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                secure: console.settings.secureCookies, httpOnly: true, sameSite: .lax
            )
            response.headers[values: .setCookie].append(cookie.description)
            return response
        }
    }
}
