import SikoCore
import Hummingbird
import NIOCore
import SikoModel

/// The request context: what middleware learned about the caller travels with the request.
public struct SikoRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    /// The socket's peer; nil when requests do not come over a socket (router tests).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer as an address the model understands.
    var peer: IPAddress? { remoteAddress?.ipAddress.flatMap(IPAddress.init) }

    /// Request bodies over 256 KiB answer 413.
    public var maxUploadSize: Int { 256 * 1024 }

    /// CAP alerts may be larger: a real DWD alert with a thousand areas is 400 KB.
    static let maxCAPSize = 1024 * 1024

    /// The body limit for this request: CAP's where the body says it is CAP.
    func uploadLimit(for request: Request) -> Int {
        CAPBody.isCAP(request) ? Self.maxCAPSize : maxUploadSize
    }

    /// The authenticated caller; routes behind `AuthMiddleware` always have one.
    func caller() throws -> Identity {
        guard let identity else { throw Problem.unauthorized() }
        return identity
    }
}
