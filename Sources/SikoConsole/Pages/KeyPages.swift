import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// API-Schlüssel: admins issue keys (shown once), bound to a person or for a system, and revoke them.
struct KeyPages: Sendable {
    let console: Console

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("verwaltung/schluessel") { request, context in try await page(request, context) }
        group.post("verwaltung/schluessel") { request, context in
            let identity = try context.signedIn(request)
            let form = try await request.form(context)
            do {
                let issued = try await console.gateway.keys.issue(
                    by: identity, partner: form["partner"], user: form["user"], scopes: form.all("scopes"),
                    expiresAt: form["expiresAt"].flatMap(TimeText.parseLocal), requireSignature: form.has("requireSignature")
                )
                return try await page(request, context, issued: issued)
            } catch ServiceError.invalid(let failure) {
                return try await page(request, context, submitted: form, errors: failure)
            }
        }
        group.post("verwaltung/schluessel/:id/widerrufen") { request, context in
            let identity = try context.signedIn(request)
            _ = try await request.form(context)
            guard let id = context.parameters.get("id") else { throw ConsoleFailure.notFound }
            _ = try await console.gateway.keys.revoke(by: identity, id: id)
            return PageRenderer.redirect(to: "/verwaltung/schluessel?widerrufen=1")
        }
    }

    private func page(
        _ request: Request, _ context: ConsoleContext, issued: KeyService.Issued? = nil, submitted: Form? = nil, errors: ValidationFailure? = nil
    ) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let keys = try await console.gateway.keys.list(by: identity, partner: identity.isAdmin ? nil : identity.partner)
        let people = try await console.gateway.users.list(by: identity)
        let logins = Dictionary(people.map { ($0.id, $0.login) }, uniquingKeysWith: { first, _ in first })
        let rows: [[String: Any]] = keys.map { key in
            [
                "id": key.id, "partner": views.partnerName(key.partner), "user": key.userID.flatMap { logins[$0] } ?? "–",
                "scopes": key.scopes.map(\.rawValue).sorted().joined(separator: " "), "created": views.times.text(key.createdAt, context.language),
                "expires": views.times.text(key.expiresAt, context.language), "lastUsed": views.times.text(key.lastUsedAt, context.language),
                "revoked": key.revokedAt != nil, "state": views.t(key.revokedAt != nil ? "key_revoked" : "status_active"),
            ]
        }
        let chosen = Set(submitted?.all("scopes") ?? [])
        let grantable = Scope.allCases.filter { identity.isAdmin || !Identity.grantedByAdminsOnly.contains($0) }
        let messages = FieldMessages(errors, language: context.language)
        let data: [String: Any] = [
            "keys": rows,
            "partners": console.gateway.reference.partners.filter { identity.administers($0.id) }.map {
                ["value": $0.id, "label": views.partnerName($0.id), "selected": $0.id == (submitted?["partner"] ?? identity.partner)]
            },
            "scopeChoices": grantable.map { ["id": "scope-\($0.rawValue)", "value": $0.rawValue, "label": $0.rawValue, "checked": chosen.contains($0.rawValue)] },
            "user": submitted?["user"] ?? "", "errors": messages.byField,
            "issued": section(issued.map { ["key": $0.key, "secret": section($0.record.signingSecret)] }),
        ]
        let notice = request.uri.queryParameters.get("widerrufen") != nil ? views.t("key_revoked_notice") : nil
        return console.renderer.render(
            .init(template: "keys", title: views.t("nav_keys"), data: data, status: errors == nil ? .ok : .unprocessableContent,
                  notice: notice, alert: errors == nil ? nil : views.t("form_errors"), section: "keys"),
            context: context
        )
    }
}
