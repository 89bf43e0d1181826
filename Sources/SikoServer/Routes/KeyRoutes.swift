import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// `GET|POST /v1/keys`, `DELETE /v1/keys/{id}`: API keys, for `admin` (a partner's admin: its own).
struct KeyRoutes {
    let keys: KeyService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("keys") { request, context in try await list(request, context) }
        group.post("keys") { request, context in try await create(request, context) }
        group.delete("keys/:id") { _, context in try await revoke(context) }
    }

    struct KeySubmission: Decodable {
        var partner: String?
        /// A login (or `usr_…`): the key belongs to that person and acts as them.
        var user: String?
        var scopes: [String]?
        var expiresAt: Date?
        var requireSignature: Bool?
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let found = try await keys.list(by: try context.caller(), partner: request.uri.queryParameters.get("partner"))
        return try JSONBody.response(KeyList(keys: found.map { KeyView($0) }))
    }

    private func create(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let submission = try await JSONBody.decode(KeySubmission.self, from: request, context: context)
        let issued = try await keys.issue(
            by: identity, partner: submission.partner, user: submission.user, scopes: submission.scopes ?? [], expiresAt: submission.expiresAt,
            requireSignature: submission.requireSignature ?? false
        )
        return try JSONBody.response(KeyView(issued.record, key: issued.key, signingSecret: issued.record.signingSecret), status: .created)
    }

    private func revoke(_ context: SikoRequestContext) async throws -> Response {
        let record = try await keys.revoke(by: try context.caller(), id: try context.parameters.require("id"))
        return try JSONBody.response(KeyView(record))
    }
}
