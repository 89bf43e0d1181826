import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// Abonnements: the partner's subscriptions, created, changed and deleted through the same
/// service (and the same validation) as the API.
struct SubscriptionPages: Sendable {
    let console: Console

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("abonnements") { request, context in try await list(request, context) }
        group.get("abonnements/neu") { request, context in try await form(request, context, subscription: nil) }
        group.post("abonnements/neu") { request, context in try await create(request, context) }
        group.get("abonnements/:id") { request, context in
            let identity = try context.signedIn(request)
            let subscription = try await console.gateway.subscriptions.subscription(id: try id(context), by: identity)
            return try await form(request, context, subscription: subscription)
        }
        group.post("abonnements/:id") { request, context in try await update(request, context) }
        group.post("abonnements/:id/test") { request, context in
            let identity = try context.signedIn(request)
            _ = try await request.form(context)
            let sent = try await console.gateway.testNotifications.sendTest(subscriptionID: try id(context), by: identity)
            return PageRenderer.redirect(to: "/meldungen/\(sent.eventId)?test=1")
        }
        group.post("abonnements/:id/loeschen") { request, context in
            let identity = try context.signedIn(request)
            _ = try await request.form(context)
            try await console.gateway.subscriptions.delete(id: try id(context), by: identity)
            return PageRenderer.redirect(to: "/abonnements?geloescht=1")
        }
    }

    private func id(_ context: ConsoleContext) throws -> String {
        guard let id = context.parameters.get("id") else { throw ConsoleFailure.notFound }
        return id
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let subscriptions = try await console.gateway.subscriptions.list(by: identity)
        let rows: [[String: Any]] = subscriptions.map { subscription in
            [
                "id": subscription.id, "name": subscription.name, "areas": views.areaNames(subscription.areas),
                "topics": subscription.topics.isEmpty ? views.t("all") : subscription.topics.map(views.topicName).joined(separator: ", "),
                "minUrgency": views.urgency(subscription.minUrgency), "channel": views.channel(subscription.channel),
                "target": subscription.target, "partner": views.partnerName(subscription.partner),
                "state": views.t(subscription.enabled ? "status_active" : "status_disabled"), "enabled": subscription.enabled,
                "disabledReason": section(subscription.disabledReason),
            ]
        }
        let notice = request.uri.queryParameters.get("geloescht") != nil ? views.t("deleted") : nil
        return console.renderer.render(
            .init(template: "subscriptions", title: views.t("subscriptions_title"), data: ["subscriptions": rows, "canManage": identity.has(.subscriptionsManage)],
                  notice: notice, section: "subscriptions"),
            context: context
        )
    }

    private func create(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let form = try await request.form(context)
        let submission = Self.submission(form, creating: true)
        do {
            let created = try await console.gateway.subscriptions.create(submission, by: identity)
            if let secret = created.secret {
                return try await self.form(request, context, subscription: created.subscription, notice: console.views(context).t("created_secret"), secret: secret)
            }
            return PageRenderer.redirect(to: "/abonnements/\(created.subscription.id)?angelegt=1")
        } catch ServiceError.invalid(let failure) {
            return try await self.form(request, context, subscription: nil, submitted: submission, errors: failure)
        }
    }

    private func update(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let form = try await request.form(context)
        let id = try id(context)
        let submission = Self.submission(form, creating: false)
        do {
            _ = try await console.gateway.subscriptions.update(id: id, with: submission, by: identity)
            return PageRenderer.redirect(to: "/abonnements/\(id)?gespeichert=1")
        } catch ServiceError.invalid(let failure) {
            let existing = try await console.gateway.subscriptions.subscription(id: id, by: identity)
            return try await self.form(request, context, subscription: existing, submitted: submission, errors: failure)
        }
    }

    /// What the form sent, as the API would receive it: an empty topic list means all topics.
    static func submission(_ form: Form, creating: Bool) -> SubscriptionSubmission {
        SubscriptionSubmission(
            name: form["name"], areas: form.all("areas"), topics: form.all("topics"), minUrgency: form["minUrgency"],
            channel: creating ? form["channel"] : nil, target: form["target"], language: form["language"],
            enabled: creating ? nil : form.has("enabled")
        )
    }

    private func form(
        _ request: Request, _ context: ConsoleContext, subscription: Subscription?, submitted: SubscriptionSubmission? = nil,
        errors: ValidationFailure? = nil, notice: String? = nil, secret: String? = nil
    ) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let reference = console.gateway.reference
        let areas = Set(submitted?.areas ?? subscription?.areas ?? [])
        let topics = Set(submitted?.topics ?? subscription?.topics ?? [])
        let urgency = submitted?.minUrgency ?? subscription?.minUrgency.rawValue ?? Urgency.low.rawValue
        let channel = submitted?.channel ?? subscription?.channel.rawValue
        let language = submitted?.language ?? subscription?.language.rawValue ?? context.language.rawValue
        let fieldErrors = FieldMessages(errors, language: context.language)
        var notice = notice
        if notice == nil, request.uri.queryParameters.get("gespeichert") != nil { notice = views.t("saved") }
        if notice == nil, request.uri.queryParameters.get("angelegt") != nil { notice = views.t("saved") }
        let data: [String: Any] = [
            "existing": section(subscription.map { ["id": $0.id, "enabled": submitted?.enabled ?? $0.enabled] }),
            "action": subscription.map { "/abonnements/\($0.id)" } ?? "/abonnements/neu",
            "name": submitted?.name ?? subscription?.name ?? "",
            "target": submitted?.target ?? subscription?.target ?? "",
            "areaChoices": AreaChoices(tree: reference.areas).groups(selected: areas),
            "topicChoices": reference.topics.map { topic in
                ["id": "topic-\(topic.id)", "value": topic.id, "label": views.topicName(topic.id), "checked": topics.contains(topic.id)]
            },
            "urgencies": views.options(Urgency.allCases, selected: Urgency(rawValue: urgency), label: views.urgency),
            "channels": views.options(console.gateway.configuredChannels.sorted { $0.rawValue < $1.rawValue }, selected: channel.flatMap(ChannelKind.init), label: views.channel),
            "languages": [["value": "de", "label": "Deutsch", "selected": language == "de"], ["value": "en", "label": "English", "selected": language == "en"]],
            "errors": fieldErrors.byField, "areaError": section(fieldErrors.byField["areas"]), "hasErrors": !fieldErrors.byField.isEmpty,
            "secret": section(secret), "canManage": identity.has(.subscriptionsManage),
        ]
        let title = subscription?.name ?? views.t("new_subscription")
        return console.renderer.render(
            .init(template: "subscription", title: title, data: data, status: errors == nil ? .ok : .unprocessableContent,
                  notice: notice, alert: errors == nil ? nil : views.t("form_errors"), section: "subscriptions"),
            context: context
        )
    }
}

/// A service's field errors by the form field they belong to (`areas[2]` is the areas field).
struct FieldMessages {
    var byField: [String: String] = [:]

    init(_ failure: ValidationFailure?, language: Language) {
        for error in failure?.errors ?? [] {
            let field = String(error.field.prefix { $0 != "[" && $0 != "." })
            let message = error.message(in: language)
            byField[field] = byField[field].map { $0 + "; " + message } ?? message
        }
    }
}
