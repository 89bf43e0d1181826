import Hummingbird
import Logging
import SikoCore
import SikoModel

/// Turns every error into problem+json, so a caller never sees an unexplained status or a stack.
/// A store that refuses writes (disk full, read-only, busy) is a 503 to try again; other
/// unexpected errors are logged with the request id and answered as a generic 500.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as ServiceError {
            return try Problem(error).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let detail: String? = switch error.status {
            case .contentTooLarge: CAPBody.isCAP(request) ? "CAP alerts are limited to 1 MiB" : "request bodies are limited to 256 KiB"
            case .notFound: "no such resource: \(request.method.rawValue) \(request.uri.path)"
            default: nil
            }
            return try Problem(status: error.status, detail: detail).response(from: request, context: context)
        } catch {
            if let refusal = StoreRefusal(error) {
                context.logger.error("the store refused a write", metadata: ["reason": "\(refusal.reason)", "path": "\(request.uri.path)"])
                return try Problem.storeUnavailable(refusal).response(from: request, context: context)
            }
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try Problem(status: .internalServerError, detail: "an unexpected error occurred; it has been logged")
                .response(from: request, context: context)
        }
    }
}
