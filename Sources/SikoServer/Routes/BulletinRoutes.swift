import Foundation
import Hummingbird
import SikoCore
import SikoModel

/// `POST|GET /v1/bulletins`, `GET|PUT /v1/bulletins/{id}` and the steps `submit`, `approve`,
/// `reject`, `withdraw`, and `update` and `cancel` of a published one (a new bulletin, four eyes
/// again): the Geschäftsstelle's bulletins.
struct BulletinRoutes {
    let bulletins: BulletinService

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.post("bulletins") { request, context in try await create(request, context) }
        group.get("bulletins") { request, context in try await list(request, context) }
        group.get("bulletins/:id") { _, context in try await show(context) }
        group.put("bulletins/:id") { request, context in try await edit(request, context) }
        group.post("bulletins/:id/submit") { _, context in
            try answer(try await bulletins.submit(id: try context.parameters.require("id"), by: try context.caller()))
        }
        group.post("bulletins/:id/approve") { request, context in try await approve(request, context) }
        group.post("bulletins/:id/reject") { request, context in try await reject(request, context) }
        group.post("bulletins/:id/withdraw") { _, context in
            try answer(try await bulletins.withdraw(id: try context.parameters.require("id"), by: try context.caller()))
        }
        group.post("bulletins/:id/update") { request, context in
            let content = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
            let draft = try await bulletins.correct(id: try context.parameters.require("id"), content: content, by: try context.caller())
            return try JSONBody.response(BulletinView(draft), status: .created)
        }
        group.post("bulletins/:id/cancel") { request, context in
            let body = try await JSONBody.decodeIfPresent(Rejection.self, from: request, context: context)
            let draft = try await bulletins.cancel(id: try context.parameters.require("id"), reason: body?.reason, by: try context.caller())
            return try JSONBody.response(BulletinView(draft), status: .created)
        }
    }

    struct Approval: Decodable {
        var version: Int?
    }

    struct Rejection: Decodable {
        var reason: String?
    }

    private func create(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let content = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        return try JSONBody.response(BulletinView(try await bulletins.create(content, by: identity)), status: .created)
    }

    private func edit(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let content = try await JSONBody.decode(EventSubmission.self, from: request, context: context)
        return try answer(try await bulletins.edit(id: try context.parameters.require("id"), content: content, by: identity))
    }

    private func approve(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let approval = try await JSONBody.decodeIfPresent(Approval.self, from: request, context: context)
        return try answer(try await bulletins.approve(id: try context.parameters.require("id"), version: approval?.version, by: identity))
    }

    private func reject(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        let rejection = try await JSONBody.decode(Rejection.self, from: request, context: context)
        return try answer(try await bulletins.reject(id: try context.parameters.require("id"), reason: rejection.reason, by: identity))
    }

    private func list(_ request: Request, _ context: SikoRequestContext) async throws -> Response {
        let identity = try context.caller()
        var status: BulletinStatus?
        if let raw = request.uri.queryParameters.get("status") {
            guard let value = BulletinStatus(rawValue: raw) else {
                throw Problem.validation(.init(errors: [.init("status", .oneOf(BulletinStatus.allCases.map(\.rawValue)))]))
            }
            status = value
        }
        let found = try await bulletins.list(status: status, by: identity)
        return try JSONBody.response(BulletinList(bulletins: found.map { BulletinView($0, whole: false) }))
    }

    private func show(_ context: SikoRequestContext) async throws -> Response {
        try answer(try await bulletins.bulletin(id: try context.parameters.require("id"), by: try context.caller()))
    }

    private func answer(_ bulletin: Bulletin) throws -> Response {
        try JSONBody.response(BulletinView(bulletin))
    }
}
