import Hummingbird
import Logging
import SikoCore
import SikoModel

/// Why a console request cannot be served as asked; each becomes a page, never problem+json.
enum ConsoleFailure: Error {
    /// Not signed in (or the session ended): to the sign-in page, then back to `next`.
    case signInRequired(next: String, expired: Bool)
    case forbidden
    case notFound
    /// A POST without this session's CSRF token.
    case csrf
}

/// Renders every failure of a console page as an HTML page in the person's language.
struct ConsoleErrors: RouterMiddleware {
    let renderer: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as ConsoleFailure {
            switch failure {
            case .signInRequired(let next, let expired):
                let target = SignInTarget.local(next) ?? "/"
                var query = "next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F")
                if expired { query += "&abgelaufen=1" }
                return PageRenderer.redirect(to: "/anmelden?" + query)
            case .forbidden: return page(context, "error_title", "forbidden", .forbidden)
            case .notFound: return page(context, "error_title", "not_found", .notFound)
            case .csrf: return page(context, "error_title", "csrf_refused", .forbidden)
            }
        } catch let error as ServiceError {
            switch error {
            case .missingScope, .outsideJurisdiction, .fourEyesRequired, .personRequired, .centralOfficeOnly, .notPublisher:
                return page(context, "error_title", "forbidden", .forbidden)
            case .notFound, .bulletinNotFound: return page(context, "error_title", "not_found", .notFound)
            case .fourEyes: return page(context, "error_title", "four_eyes", .forbidden)
            case .versionConflict: return page(context, "error_title", "version_conflict", .conflict)
            case .wrongState: return page(context, "error_title", "bulletin_state", .conflict)
            case .invalid(let failure):
                return message(context, failure.errors.map { "\($0.field): \($0.message(in: context.language))" }.joined(separator: "; "), .unprocessableContent)
            case .conflict(_, let title, let detail), .limit(_, let title, let detail):
                return message(context, "\(title): \(detail)", .conflict)
            case .unreadable(_, let title, let detail):
                return message(context, "\(title): \(detail)", .badRequest)
            }
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return message(context, error.body ?? "too large", .contentTooLarge)
        } catch {
            logger.error("console page failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return page(context, "error_title", "error_retry", .serviceUnavailable)
        }
    }

    private func page(_ context: ConsoleContext, _ title: String, _ text: String, _ status: HTTPResponse.Status) -> Response {
        message(context, ConsoleText.text(text, context.language), status, title: title)
    }

    private func message(_ context: ConsoleContext, _ text: String, _ status: HTTPResponse.Status, title: String = "error_title") -> Response {
        renderer.render(.init(template: "error", title: ConsoleText.text(title, context.language), data: ["message": text], status: status), context: context)
    }
}

/// Where sign-in may send a person back to: a path on this site only, never another origin.
enum SignInTarget {
    static func local(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.hasPrefix("/\\"), path.count <= 512,
              !path.contains(where: { $0.isNewline || $0 == "\\" }), !path.hasPrefix("/anmelden") else { return nil }
        return path
    }
}
