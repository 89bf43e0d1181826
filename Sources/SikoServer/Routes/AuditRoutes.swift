import Foundation
import Hummingbird
import SikoModel
import SikoStore

/// `GET /v1/audit?after=&limit=&partner=`: the audit trail in order, for `admin` only.
struct AuditRoutes {
    let gateway: Gateway

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("audit") { request, context in try await list(request, context) }
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        _ = try context.caller(with: .admin)
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        var after: Int64 = 0
        var limit = 100
        if let raw = parameters.get("after") {
            if let value = Int64(raw), value >= 0 { after = value } else { errors.append(.init("after", "must be a sequence number (0 or more)")) }
        }
        if let raw = parameters.get("limit") {
            if let value = Int(raw), (1...1000).contains(value) { limit = value } else {
                errors.append(.init("limit", "must be a whole number from 1 to 1000"))
            }
        }
        let partner = parameters.get("partner")
        if let partner, partner.utf8.count > 64 { errors.append(.init("partner", "at most 64 characters")) }
        guard errors.isEmpty else { throw Problem.validation(.init(errors: errors)) }
        let entries = try await gateway.store.auditEntries(after: after, limit: limit, partner: partner)
        return try JSONBody.response(AuditPage(entries: entries.map(AuditEntryView.init), next: entries.count == limit ? entries.last?.sequence : nil))
    }
}
