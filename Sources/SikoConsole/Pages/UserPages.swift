import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// Benutzer: admins make people, change their roles and clearance, reset passwords, set up or
/// remove a second factor, and disable them, through `UserService` as the CLI does.
struct UserPages: Sendable {
    let console: Console

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("verwaltung/benutzer") { request, context in try await list(request, context) }
        group.post("verwaltung/benutzer") { request, context in try await create(request, context) }
        group.get("verwaltung/benutzer/:login") { request, context in try await detail(request, context) }
        group.post("verwaltung/benutzer/:login/:change") { request, context in try await change(request, context) }
    }

    private func list(_ request: Request, _ context: ConsoleContext, submitted: Form? = nil, errors: ValidationFailure? = nil) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let users = try await console.gateway.users.list(by: identity)
        let rows: [[String: Any]] = users.map { user in
            [
                "login": user.login, "name": user.name, "partner": views.partnerName(user.partner),
                "roles": user.roles.sorted().map { views.t("role_" + $0.rawValue) }.joined(separator: ", "),
                "cleared": views.t(user.cleared ? "yes" : "no"), "totp": views.t(user.hasSecondFactor ? "yes" : "no"),
                "state": views.t(user.isDisabled ? "user_disabled" : "status_active"),
                "lastSignIn": views.times.text(user.lastSignInAt, context.language),
            ]
        }
        let messages = FieldMessages(errors, language: context.language)
        let roles = Set(submitted?.all("roles") ?? ["viewer"])
        let data: [String: Any] = [
            "users": rows, "partners": partnerOptions(identity, selected: submitted?["partner"] ?? identity.partner, views),
            "roleChoices": Role.allCases.map { ["id": "role-\($0.rawValue)", "value": $0.rawValue, "label": views.t("role_" + $0.rawValue), "checked": roles.contains($0.rawValue)] },
            "login": submitted?["login"] ?? "", "name": submitted?["name"] ?? "", "cleared": submitted?.has("cleared") ?? false,
            "errors": messages.byField, "hasErrors": errors != nil,
        ]
        let notice = request.uri.queryParameters.get("gesperrt") != nil ? views.t("user_disabled_notice") : nil
        return console.renderer.render(
            .init(template: "users", title: views.t("nav_users"), data: data, status: errors == nil ? .ok : .unprocessableContent,
                  notice: notice, alert: errors == nil ? nil : views.t("form_errors"), section: "users"),
            context: context
        )
    }

    private func partnerOptions(_ identity: Identity, selected: String?, _ views: Views) -> [[String: Any]] {
        console.gateway.reference.partners.filter { identity.administers($0.id) }.map {
            ["value": $0.id, "label": views.partnerName($0.id), "selected": $0.id == selected]
        }
    }

    private func create(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let form = try await request.form(context)
        let submission = UserService.Submission(
            partner: form["partner"], login: form["login"] ?? "", name: form["name"] ?? "", roles: form.all("roles"),
            cleared: form.has("cleared"), language: form["language"].flatMap(Language.init) ?? .de, password: form.fields["password"]?.first ?? ""
        )
        do {
            let user = try await console.gateway.users.create(submission, by: identity)
            return PageRenderer.redirect(to: "/verwaltung/benutzer/\(user.login)?angelegt=1")
        } catch ServiceError.invalid(let failure) {
            return try await list(request, context, submitted: form, errors: failure)
        }
    }

    private func detail(_ request: Request, _ context: ConsoleContext, enrolment: String? = nil, errors: ValidationFailure? = nil) async throws -> Response {
        let identity = try context.signedIn(request)
        guard let login = context.parameters.get("login") else { throw ConsoleFailure.notFound }
        let user = try await console.gateway.users.user(login, by: identity)
        let views = console.views(context)
        let messages = FieldMessages(errors, language: context.language)
        let data: [String: Any] = [
            "login": user.login, "name": user.name, "partner": views.partnerName(user.partner),
            "roleChoices": Role.allCases.map { ["id": "role-\($0.rawValue)", "value": $0.rawValue, "label": views.t("role_" + $0.rawValue), "checked": user.roles.contains($0)] },
            "cleared": user.cleared, "hasTotp": user.hasSecondFactor, "disabled": user.isDisabled,
            "state": views.t(user.isDisabled ? "user_disabled" : "status_active"),
            "lastSignIn": views.times.text(user.lastSignInAt, context.language), "created": views.times.text(user.createdAt, context.language),
            "enrolment": section(enrolment), "self": identity.person?.userID == user.id, "errors": messages.byField,
        ]
        let query = request.uri.queryParameters
        let notice: String? = query.get("angelegt") != nil ? views.t("user_created") : query.get("gespeichert") != nil ? views.t("saved") : nil
        return console.renderer.render(
            .init(template: "user", title: user.name, data: data, status: errors == nil ? .ok : .unprocessableContent, notice: notice,
                  alert: errors == nil ? nil : views.t("form_errors"), section: "users"),
            context: context
        )
    }

    private func change(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let form = try await request.form(context)
        guard let login = context.parameters.get("login"), let change = context.parameters.get("change") else { throw ConsoleFailure.notFound }
        let users = console.gateway.users
        do {
            switch change {
            case "rollen": _ = try await users.setRoles(login, to: form.all("roles"), by: identity)
            case "freigabe": _ = try await users.setCleared(login, form.has("cleared"), by: identity)
            case "passwort": _ = try await users.resetPassword(login, to: form.fields["password"]?.first ?? "", by: identity)
            case "zweiter-faktor":
                let enrolment = try await users.enrolSecondFactor(login, by: identity)
                return try await detail(request, context, enrolment: enrolment.uri)
            case "zweiter-faktor-entfernen": _ = try await users.removeSecondFactor(login, by: identity)
            case "sperren":
                _ = try await users.disable(login, by: identity)
                return PageRenderer.redirect(to: "/verwaltung/benutzer?gesperrt=1")
            default: throw ConsoleFailure.notFound
            }
        } catch ServiceError.invalid(let failure) {
            return try await detail(request, context, errors: failure)
        }
        return PageRenderer.redirect(to: "/verwaltung/benutzer/\(login)?gespeichert=1")
    }
}
