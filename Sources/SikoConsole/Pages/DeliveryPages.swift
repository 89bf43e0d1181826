import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// Zustellungen: deliveries filtered by state and channel, and given-up ones sent again.
struct DeliveryPages: Sendable {
    let console: Console

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("zustellungen") { request, context in try await list(request, context) }
        group.post("zustellungen/:id/erneut") { request, context in
            let identity = try context.signedIn(request)
            let form = try await request.form(context)
            guard let id = context.parameters.get("id") else { throw ConsoleFailure.notFound }
            _ = try await console.gateway.deliveries.retry(id: id, by: identity)
            let back = SignInTarget.local(form["back"]) ?? "/zustellungen"
            return PageRenderer.redirect(to: back + (back.contains("?") ? "&" : "?") + "erneut=1")
        }
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let views = console.views(context)
        let query = request.uri.queryParameters
        let status = query.get("status").flatMap(DeliveryStatus.init)
        let channel = query.get("channel").flatMap(ChannelKind.init)
        let page = 100
        let deliveries = try await console.gateway.deliveries.list(
            DeliveryQuery(status: status, channel: channel, limit: page, after: query.get("nach")), by: identity
        )
        var filter: [String] = []
        if let status { filter.append("status=\(status.rawValue)") }
        if let channel { filter.append("channel=\(channel.rawValue)") }
        let back = "/zustellungen" + (filter.isEmpty ? "" : "?" + filter.joined(separator: "&"))
        let next = deliveries.count == page ? deliveries.last.map { back + (filter.isEmpty ? "?" : "&") + "nach=\($0.id)" } : nil
        let data: [String: Any] = [
            "deliveries": deliveries.map { views.delivery($0, back: back) },
            "statusOptions": views.options(DeliveryStatus.allCases, selected: status, label: views.status),
            "channelOptions": views.options(ChannelKind.allCases, selected: channel, label: views.channel),
            "next": section(next),
        ]
        let notice = query.get("erneut") != nil ? views.t("retried") : nil
        return console.renderer.render(.init(template: "deliveries", title: views.t("deliveries_title"), data: data, notice: notice, section: "deliveries"), context: context)
    }
}
