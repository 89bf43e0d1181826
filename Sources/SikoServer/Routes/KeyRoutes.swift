import Foundation
import Hummingbird
import SikoModel
import SikoStore

/// `GET|POST /v1/keys`, `DELETE /v1/keys/{id}`: API keys, for `admin` only.
struct KeyRoutes {
    let gateway: Gateway

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("keys") { request, context in try await list(request, context) }
        group.post("keys") { request, context in try await create(request, context) }
        group.delete("keys/:id") { _, context in try await revoke(context) }
    }

    struct KeySubmission: Decodable {
        var partner: String?
        var scopes: [String]?
        var expiresAt: Date?
        var requireSignature: Bool?
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        _ = try context.caller(with: .admin)
        let keys = try await gateway.keys.list(partner: request.uri.queryParameters.get("partner"))
        return try JSONBody.response(KeyList(keys: keys.map { KeyView($0) }))
    }

    private func create(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .admin)
        let submission = try await JSONBody.decode(KeySubmission.self, from: request, context: context)
        var errors: [FieldError] = []
        let partner = submission.partner ?? ""
        if submission.partner == nil { errors.append(.init("partner", "is required")) } else if gateway.reference.partner(partner) == nil {
            errors.append(.init("partner", "unknown partner '\(partner.prefix(64))' (see Rules/partners.yaml)"))
        }
        var scopes: Set<Scope> = []
        for (index, raw) in (submission.scopes ?? []).prefix(16).enumerated() {
            if let scope = Scope(rawValue: raw) { scopes.insert(scope) } else {
                errors.append(.init("scopes[\(index)]", "must be one of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if (submission.scopes ?? []).isEmpty { errors.append(.init("scopes", "at least one scope is required")) }
        if let expiresAt = submission.expiresAt, expiresAt <= gateway.clock.now() { errors.append(.init("expiresAt", "lies in the past")) }
        guard errors.isEmpty else { throw Problem.validation(.init(errors: errors)) }
        let issued = try await gateway.keys.issue(
            partner: partner, scopes: scopes, expiresAt: submission.expiresAt, requireSignature: submission.requireSignature ?? false
        )
        try await gateway.audit.record(identity, .keyCreate, object: issued.record.id, detail: "for \(partner): \(issued.record.scopes.map(\.rawValue).sorted().joined(separator: " "))")
        return try JSONBody.response(KeyView(issued.record, key: issued.key, signingSecret: issued.record.signingSecret), status: .created)
    }

    private func revoke(_ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller(with: .admin)
        let id = try context.parameters.require("id")
        guard let record = try await gateway.keys.revoke(id: id) else { throw Problem.notFound("key \(id)") }
        try await gateway.audit.record(identity, .keyRevoke, object: record.id, detail: "of \(record.partner)")
        return try JSONBody.response(KeyView(record))
    }
}
