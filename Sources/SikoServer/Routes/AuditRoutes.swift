import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// `GET /v1/audit?after=&limit=&partner=`: the audit trail in order, for `admin` only.
struct AuditRoutes {
    let audit: AuditService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("audit") { request, context in try await list(request, context) }
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        // Text that is no number reads as out of range, so the service names the field.
        let after = parameters.get("after").map { Int64($0) ?? -1 } ?? 0
        let limit = parameters.get("limit").map { Int($0) ?? 0 } ?? 100
        let entries = try await audit.entries(after: after, limit: limit, partner: parameters.get("partner"), by: try context.caller())
        return try JSONBody.response(AuditPage(entries: entries.map(AuditEntryView.init), next: entries.count == limit ? entries.last?.sequence : nil))
    }
}
