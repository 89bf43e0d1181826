import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// Bulletin schreiben, the bulletins of the Geschäftsstelle, and Freigaben: the four-eyes way of
/// a bulletin, through the same `BulletinService` as the API.
struct BulletinPages: Sendable {
    let console: Console

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("bulletins") { request, context in try await list(request, context) }
        group.get("bulletins/neu") { request, context in
            try await form(request, context, content: EventSubmission(classification: Classification.public.rawValue), bulletin: nil)
        }
        group.post("bulletins/neu") { request, context in try await write(request, context, bulletin: nil) }
        group.get("bulletins/:id") { request, context in try await detail(request, context) }
        group.get("bulletins/:id/bearbeiten") { request, context in
            let identity = try context.signedIn(request)
            let bulletin = try await console.gateway.bulletins.bulletin(id: try id(context), by: identity)
            return try await form(request, context, content: bulletin.current.content, bulletin: bulletin)
        }
        group.post("bulletins/:id/bearbeiten") { request, context in
            let identity = try context.signedIn(request)
            let bulletin = try await console.gateway.bulletins.bulletin(id: try id(context), by: identity)
            return try await write(request, context, bulletin: bulletin)
        }
        group.post("bulletins/:id/zurueckziehen") { request, context in
            let identity = try context.signedIn(request)
            _ = try await request.form(context)
            let bulletin = try await console.gateway.bulletins.withdraw(id: try id(context), by: identity)
            return PageRenderer.redirect(to: "/bulletins/\(bulletin.id)?zurueckgezogen=1")
        }
        group.get("bulletins/:id/berichtigen") { request, context in
            let identity = try context.signedIn(request)
            let published = try await console.gateway.bulletins.bulletin(id: try id(context), by: identity)
            return try await form(request, context, content: published.current.content, bulletin: nil, correcting: published)
        }
        group.post("bulletins/:id/berichtigen") { request, context in
            let identity = try context.signedIn(request)
            let published = try await console.gateway.bulletins.bulletin(id: try id(context), by: identity)
            return try await write(request, context, bulletin: nil, correcting: published)
        }
        group.post("bulletins/:id/aufheben") { request, context in
            let identity = try context.signedIn(request)
            let form = try await request.form(context)
            do {
                let draft = try await console.gateway.bulletins.cancel(id: try id(context), reason: form["reason"], by: identity)
                let submitted = try await console.gateway.bulletins.submit(id: draft.id, by: identity)
                return PageRenderer.redirect(to: "/bulletins/\(submitted.id)?eingereicht=1")
            } catch ServiceError.invalid(let failure) {
                return try await detail(request, context, cancelErrors: failure)
            }
        }
        group.get("freigaben") { request, context in try await approvals(request, context) }
        group.post("freigaben/:id/freigeben") { request, context in
            let identity = try context.signedIn(request)
            let form = try await request.form(context)
            let bulletin = try await console.gateway.bulletins.approve(id: try id(context), version: form["version"].flatMap(Int.init), by: identity)
            return PageRenderer.redirect(to: bulletin.eventId.map { "/meldungen/\($0)?freigegeben=1" } ?? "/bulletins/\(bulletin.id)")
        }
        group.post("freigaben/:id/ablehnen") { request, context in
            let identity = try context.signedIn(request)
            let form = try await request.form(context)
            let id = try id(context)
            do {
                _ = try await console.gateway.bulletins.reject(id: id, reason: form["reason"], by: identity)
            } catch ServiceError.invalid(let failure) {
                return try await approvals(request, context, rejecting: id, errors: failure)
            }
            return PageRenderer.redirect(to: "/freigaben?abgelehnt=1")
        }
    }

    private func id(_ context: ConsoleContext) throws -> String {
        guard let id = context.parameters.get("id") else { throw ConsoleFailure.notFound }
        return id
    }

    /// The form as the API would receive it; the expiry is Europe/Berlin local time.
    static func content(_ form: Form) -> EventSubmission {
        EventSubmission(
            topic: form["topic"], urgency: form["urgency"], areas: form.all("areas"), title: form["title"], body: form["body"],
            classification: form["classification"], expiresAt: form["expiresAt"].flatMap(TimeText.parseLocal), exercise: form.has("exercise")
        )
    }

    private func write(_ request: Request, _ context: ConsoleContext, bulletin: Bulletin?, correcting: Bulletin? = nil) async throws -> Response {
        let identity = try context.signedIn(request)
        let form = try await request.form(context)
        let content = Self.content(form)
        let bulletins = console.gateway.bulletins
        do {
            switch form["action"] {
            case "preview":
                let preview = try await bulletins.preview(content, by: identity)
                return try await self.form(request, context, content: content, bulletin: bulletin, correcting: correcting, preview: preview)
            case "save":
                let saved = try await store(content, over: bulletin, correcting: correcting, by: identity)
                return PageRenderer.redirect(to: "/bulletins/\(saved.id)?gespeichert=1")
            default:
                let saved = try await store(content, over: bulletin, correcting: correcting, by: identity)
                let submitted = try await bulletins.submit(id: saved.id, by: identity)
                return PageRenderer.redirect(to: "/bulletins/\(submitted.id)?eingereicht=1")
            }
        } catch ServiceError.invalid(let failure) {
            return try await self.form(request, context, content: content, bulletin: bulletin, correcting: correcting, errors: failure)
        } catch ServiceError.outsideJurisdiction(_, let areas) {
            let list = areas.joined(separator: ", ")
            let failure = ValidationFailure(errors: [FieldError(
                "areas", "outside the Geschäftsstelle's jurisdiction: \(list)", de: "außerhalb der Zuständigkeit der Geschäftsstelle: \(list)"
            )])
            return try await self.form(request, context, content: content, bulletin: bulletin, correcting: correcting, errors: failure)
        }
    }

    /// A new bulletin, a new version of `bulletin`, or a Berichtigung of the published `correcting`.
    private func store(_ content: EventSubmission, over bulletin: Bulletin?, correcting: Bulletin?, by identity: Identity) async throws -> Bulletin {
        if let correcting { return try await console.gateway.bulletins.correct(id: correcting.id, content: content, by: identity) }
        if let bulletin { return try await console.gateway.bulletins.edit(id: bulletin.id, content: content, by: identity) }
        return try await console.gateway.bulletins.create(content, by: identity)
    }

    private func form(
        _ request: Request, _ context: ConsoleContext, content: EventSubmission, bulletin: Bulletin?, correcting: Bulletin? = nil,
        preview: BulletinPreview? = nil, errors: ValidationFailure? = nil
    ) async throws -> Response {
        let identity = try context.signedIn(request)
        try identity.require(.bulletinsSend)
        let views = console.views(context)
        let reference = console.gateway.reference
        let messages = FieldMessages(errors, language: context.language)
        var data: [String: Any] = [
            "action": correcting.map { "/bulletins/\($0.id)/berichtigen" } ?? bulletin.map { "/bulletins/\($0.id)/bearbeiten" } ?? "/bulletins/neu",
            "title": content.title ?? "", "body": content.body ?? "",
            "topics": reference.topics.map { ["value": $0.id, "label": views.topicName($0.id), "selected": $0.id == content.topic] },
            "urgencies": views.options(Urgency.allCases, selected: content.urgency.flatMap(Urgency.init) ?? .medium, label: views.urgency),
            "classifications": views.options(Classification.allCases, selected: content.classification.flatMap(Classification.init) ?? .public) {
                views.t("classification_" + $0.rawValue)
            },
            "expiresAt": content.expiresAt.map(TimeText.local) ?? "", "exercise": content.exercise ?? false,
            "areaChoices": AreaChoices(tree: reference.areas).groups(selected: Set(content.areas ?? [])),
            "errors": messages.byField, "areaError": section(messages.byField["areas"]),
            "version": section(bulletin?.version),
        ]
        if let preview { data["preview"] = previewView(preview, views) }
        let title = correcting.map { _ in views.t("bulletin_correct") } ?? bulletin.map { _ in views.t("bulletin_edit") } ?? views.t("nav_write")
        return console.renderer.render(
            .init(template: "bulletin-form", title: title, data: data, status: errors == nil ? .ok : .unprocessableContent,
                  alert: errors == nil ? nil : views.t("form_errors"), section: "write"),
            context: context
        )
    }

    private func previewView(_ preview: BulletinPreview, _ views: Views) -> [String: Any] {
        [
            "groups": audienceRows(preview.audience, views), "empty": preview.audience.groups.isEmpty,
            "email": section(preview.message.map { ["subject": $0.emailSubject, "text": $0.emailText] }),
            "sms": section(preview.message.map { ["text": $0.sms, "segments": $0.smsSegments] }),
        ]
    }

    private func audienceRows(_ audience: BulletinAudience, _ views: Views) -> [[String: Any]] {
        audience.groups.map { group in
            [
                "partner": views.partnerName(group.partner), "channel": views.channel(group.channel), "subscriptions": group.subscriptions,
                "send": group.send, "deferred": group.deferred, "suppressed": group.suppressed,
                "rules": group.rules.map { "\(views.rule($0.key)): \($0.value)" }.sorted().joined(separator: ", "),
            ]
        }
    }

    private func bulletinRow(_ bulletin: Bulletin, _ views: Views) -> [String: Any] {
        let content = bulletin.current.content
        return [
            "id": bulletin.id, "title": content.title ?? "", "status": views.bulletinStatus(bulletin.status), "statusKey": bulletin.status.rawValue,
            "author": bulletin.author.name, "version": bulletin.version, "updatedAt": views.times.text(bulletin.updatedAt, views.language),
            "updatedAtMachine": views.times.machine(bulletin.updatedAt), "areas": views.areaNames(content.areas ?? []),
            "urgency": content.urgency.flatMap(Urgency.init).map(views.urgency) ?? "", "eventId": section(bulletin.eventId),
            "corrects": section(bulletin.corrects.map { correction in
                ["label": views.t(correction.kind == .cancel ? "cancels_label" : "corrects_label"), "id": correction.bulletin]
            }),
        ]
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let status = request.uri.queryParameters.get("status").flatMap(BulletinStatus.init)
        let bulletins = try await console.gateway.bulletins.list(status: status, by: identity)
        let data: [String: Any] = [
            "bulletins": bulletins.map { bulletinRow($0, views) },
            "statusOptions": views.options(BulletinStatus.allCases, selected: status, label: views.bulletinStatus),
            "canWrite": identity.has(.bulletinsSend),
        ]
        return console.renderer.render(.init(template: "bulletins", title: views.t("nav_bulletins"), data: data, section: "bulletins"), context: context)
    }

    private func detail(_ request: Request, _ context: ConsoleContext, cancelErrors: ValidationFailure? = nil) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let review = try await console.gateway.bulletins.review(id: try id(context), by: identity)
        let bulletin = review.bulletin
        let content = bulletin.current.content
        var data = bulletinRow(bulletin, views)
        data["body"] = (content.body ?? "").components(separatedBy: "\n\n").filter { !$0.isEmpty }
        data["topic"] = content.topic.map(views.topicName) ?? ""
        data["classification"] = views.t("classification_" + (content.classification ?? "public"))
        data["expiresAt"] = section(content.expiresAt.map { views.times.text($0, context.language) })
        data["exercise"] = content.exercise ?? false
        data["history"] = bulletin.history.map { entry in
            [
                "action": views.bulletinAction(entry.action), "by": entry.by.name, "at": views.times.text(entry.at, context.language),
                "atMachine": views.times.machine(entry.at), "version": entry.version, "reason": section(entry.reason),
            ] as [String: Any]
        }
        data["canEdit"] = review.actions.contains(.edited)
        data["canWithdraw"] = review.actions.contains(.withdrawn)
        data["canApprove"] = review.actions.contains(.approved)
        if bulletin.status == .published, identity.has(.bulletinsSend), let eventId = bulletin.eventId {
            let chain = try await console.gateway.publishing.chain(of: eventId, by: identity)
            data["canCorrect"] = !chain.contains { $0.messageType == .cancel }
        }
        data["cancelError"] = section(FieldMessages(cancelErrors, language: context.language).byField["reason"])
        let query = request.uri.queryParameters
        let notice: String? = query.get("eingereicht") != nil ? views.t("bulletin_submitted")
            : query.get("gespeichert") != nil ? views.t("saved") : query.get("zurueckgezogen") != nil ? views.t("bulletin_withdrawn") : nil
        return console.renderer.render(
            .init(template: "bulletin", title: content.title ?? bulletin.id, data: data, status: cancelErrors == nil ? .ok : .unprocessableContent,
                  notice: notice, alert: cancelErrors == nil ? nil : views.t("form_errors"), section: "bulletins"),
            context: context
        )
    }

    private func approvals(_ request: Request, _ context: ConsoleContext, rejecting: String? = nil, errors: ValidationFailure? = nil) async throws -> Response {
        let identity = try context.signedIn(request)
        try identity.require(.bulletinsApprove)
        let views = console.views(context)
        let waiting = try await console.gateway.bulletins.list(status: .submitted, by: identity)
        var cards: [[String: Any]] = []
        for bulletin in waiting {
            let review = try await console.gateway.bulletins.review(id: bulletin.id, by: identity)
            var card = bulletinRow(bulletin, views)
            let content = bulletin.current.content
            card["body"] = (content.body ?? "").components(separatedBy: "\n\n").filter { !$0.isEmpty }
            card["writers"] = bulletin.writers.map(\.name).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ", ")
            card["groups"] = review.audience.map { audienceRows($0, views) } ?? []
            card["audienceProblem"] = section(review.audienceProblem.map { "\($0)" })
            card["changes"] = review.changes.changes.map { ["label": $0.label, "before": $0.before ?? "–", "after": $0.after ?? "–"] }
            card["firstSubmission"] = review.changes.from == nil
            card["canApprove"] = review.actions.contains(.approved)
            card["ownWork"] = identity.person.map { person in bulletin.writers.contains { $0.userID == person.userID } } ?? false
            card["rejectError"] = section(bulletin.id == rejecting ? FieldMessages(errors, language: context.language).byField["reason"] : nil)
            cards.append(card)
        }
        let notice = request.uri.queryParameters.get("abgelehnt") != nil ? views.t("bulletin_rejected") : nil
        return console.renderer.render(
            .init(template: "approvals", title: views.t("nav_approvals"), data: ["bulletins": cards], status: errors == nil ? .ok : .unprocessableContent,
                  notice: notice, section: "approvals"),
            context: context
        )
    }
}
