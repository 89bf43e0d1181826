import Hummingbird
import SikoModel

/// The request context: what middleware learned about the caller travels with the request.
public struct SikoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// Request bodies over 256 KiB answer 413.
    public var maxUploadSize: Int { 256 * 1024 }

    /// The authenticated caller; routes behind `AuthMiddleware` always have one.
    func caller() throws -> Identity {
        guard let identity else { throw Problem.unauthorized() }
        return identity
    }

    /// The caller, if its key carries `scope` (or admin); 403 otherwise.
    func caller(with scope: SikoModel.Scope) throws -> Identity {
        let identity = try caller()
        guard identity.has(scope) else {
            throw Problem(status: .forbidden, type: "missing-scope", title: "Missing scope", detail: "this key lacks the scope \(scope.rawValue)")
        }
        return identity
    }
}
