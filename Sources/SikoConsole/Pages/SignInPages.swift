import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SikoCore
import SikoModel
import SikoServer

/// Anmelden and Abmelden: password, then a second factor where the person has one (or must), with
/// the sign-in service's throttle; afterwards back to the page a link led to, if it is on this site.
struct SignInPages: Sendable {
    let console: Console

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("anmelden") { request, context in
            let next = SignInTarget.local(request.uri.queryParameters.get("next")) ?? ""
            if context.identity != nil { return PageRenderer.redirect(to: next.isEmpty ? "/uebersicht" : next) }
            let query = request.uri.queryParameters
            let notice: String? = query.get("abgelaufen") != nil || context.sessionExpired ? "session_expired"
                : query.get("abgemeldet") != nil ? "signed_out" : nil
            return page(context, mode: .password(login: ""), next: next, notice: notice)
        }
        group.post("anmelden") { request, context in
            let form = try await Form.read(request, context: context)
            try checkToken(form, context)
            let next = SignInTarget.local(form["next"]) ?? ""
            let login = String((form["login"] ?? "").prefix(64))
            let outcome = try await console.gateway.signIn.signIn(
                login: login, password: String((form.fields["password"]?.first ?? "").prefix(1024)), address: address(request, context)
            )
            return try await answer(outcome, context: context, next: next, login: login)
        }
        group.post("anmelden/code") { request, context in
            let form = try await Form.read(request, context: context)
            try checkToken(form, context)
            let next = SignInTarget.local(form["next"]) ?? ""
            let outcome = try await console.gateway.signIn.continueSignIn(
                challenge: form["challenge"] ?? "", code: form["code"] ?? "", address: address(request, context)
            )
            return try await answer(outcome, context: context, next: next, login: "")
        }
        group.post("anmelden/einrichten") { request, context in
            let form = try await Form.read(request, context: context)
            try checkToken(form, context)
            let next = SignInTarget.local(form["next"]) ?? ""
            let challenge = form["challenge"] ?? ""
            guard let enrolment = try await console.gateway.signIn.enrolSecondFactor(challenge: challenge) else {
                return page(context, mode: .password(login: ""), next: next, alert: "sign_in_failed", status: .unauthorized)
            }
            return page(context, mode: .code(challenge: challenge, enrolment: enrolment.uri), next: next)
        }
        group.post("abmelden") { request, context in
            if let identity = context.identity {
                _ = try await request.form(context)
                try await console.gateway.signIn.signOut(identity)
                context.sessions.clearSession()
            }
            return PageRenderer.redirect(to: "/anmelden?abgemeldet=1")
        }
    }

    private enum Mode {
        case password(login: String)
        case code(challenge: String, enrolment: String?)
        case setup(challenge: String)
    }

    private func answer(_ outcome: SignInOutcome, context: ConsoleContext, next: String, login: String) async throws -> Response {
        switch outcome {
        case .signedIn(let user):
            // A new session id at every sign-in, so an id planted before it is worth nothing.
            context.sessions.createSession(ConsoleSession(signedIn: user, at: console.gateway.clock.now()), expiresIn: console.lifetime.absolute)
            return PageRenderer.redirect(to: next.isEmpty ? "/uebersicht" : next)
        case .secondFactorNeeded(let challenge, let rejected):
            return page(context, mode: .code(challenge: challenge, enrolment: nil), next: next,
                        alert: rejected ? "sign_in_code_wrong" : nil, status: rejected ? .unauthorized : .ok)
        case .secondFactorSetupRequired(let challenge):
            return page(context, mode: .setup(challenge: challenge), next: next)
        case .refused(let wait):
            var alert = ConsoleText.text("sign_in_failed", context.language)
            if let wait {
                alert += " " + ConsoleText.fill(ConsoleText.text("sign_in_wait", context.language), WaitText.text(wait, context.language))
            }
            return page(context, mode: .password(login: login), next: next, alertText: alert, status: wait == nil ? .unauthorized : .tooManyRequests)
        }
    }

    private func page(
        _ context: ConsoleContext, mode: Mode, next: String, notice: String? = nil, alert: String? = nil, alertText: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var data: [String: Any] = ["next": next]
        switch mode {
        case .password(let login): data["password"] = true; data["login"] = login
        case .code(let challenge, let enrolment):
            data["code"] = true
            data["challenge"] = challenge
            data["enrolment"] = section(enrolment.map { uri in
                ["uri": uri, "secret": URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""]
            })
        case .setup(let challenge): data["setup"] = true; data["challenge"] = challenge
        }
        let language = context.language
        return console.renderer.render(
            .init(template: "signin", title: ConsoleText.text("sign_in", language), data: data, status: status,
                  notice: notice.map { ConsoleText.text($0, language) }, alert: alertText ?? alert.map { ConsoleText.text($0, language) }),
            context: context
        )
    }

    /// The sign-in forms carry the token of the sign-in cookie (there is no session yet).
    private func checkToken(_ form: Form, _ context: ConsoleContext) throws {
        guard CSRFToken.matches(form[CSRFToken.field], context.csrfToken) else { throw ConsoleFailure.csrf }
    }

    private func address(_ request: Request, _ context: ConsoleContext) -> String? {
        let peer = context.remoteAddress?.ipAddress.flatMap(IPAddress.init)
        let client = console.clientAddress.client(peer: peer, forwardedFor: request.headers[values: HTTPField.Name("x-forwarded-for")!])
        return ClientAddress.bucket(of: client)
    }
}

/// A wait as people say it: "5 Minuten", "45 Sekunden".
enum WaitText {
    static func text(_ wait: Duration, _ language: Language) -> String {
        let seconds = Int(wait.components.seconds)
        if seconds >= 90 {
            let minutes = (seconds + 59) / 60
            return language == .en ? "\(minutes) minutes" : "\(minutes) Minuten"
        }
        return language == .en ? "\(seconds) seconds" : "\(seconds) Sekunden"
    }
}
