import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// Prüfprotokoll: the hash-chained audit trail, newest first, and a check of the whole chain.
struct AuditPage: Sendable {
    let console: Console
    static let page = 100

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("verwaltung/audit") { request, context in
            let identity = try context.signedIn(request)
            let query = request.uri.queryParameters
            let before = query.get("vor").flatMap(Int64.init)
            let entries = try await console.gateway.audit.latest(before: before, limit: Self.page, partner: nil, by: identity)
            let views = console.views(context)
            var verification: [String: Any]? = nil
            if query.get("pruefen") != nil, identity.isAdmin {
                let result = try await console.gateway.audit.verify(by: identity)
                verification = result.broken.map { broken in
                    ["ok": false, "text": ConsoleText.fill(views.t("audit_broken"), "\(broken.sequence)", broken.reason)]
                } ?? ["ok": true, "text": ConsoleText.fill(views.t("audit_intact"), "\(result.checked)")]
            }
            let rows: [[String: Any]] = entries.map { entry in
                [
                    "sequence": entry.sequence, "at": views.times.text(entry.record.at, context.language),
                    "atMachine": views.times.machine(entry.record.at), "partner": views.partnerName(entry.record.partner),
                    "actor": entry.record.actor, "action": Self.action(entry.record.action, context.language),
                    "object": entry.record.object, "detail": entry.record.detail ?? "",
                ]
            }
            let next = entries.count == Self.page ? entries.last.map { "/verwaltung/audit?vor=\($0.sequence)" } : nil
            let data: [String: Any] = ["entries": rows, "next": section(next), "verification": section(verification), "canVerify": identity.isAdmin]
            return console.renderer.render(.init(template: "audit", title: views.t("nav_audit"), data: data, section: "audit"), context: context)
        }
    }

    /// What an entry's action says to people; an action this release does not know shows as stored.
    static func action(_ raw: String, _ language: Language) -> String {
        let text = ConsoleText.text("action_" + raw, language)
        return text == "action_" + raw ? raw : text
    }
}
