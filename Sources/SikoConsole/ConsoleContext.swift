import Hummingbird
import HummingbirdAuth
import NIOCore
import SikoCore
import SikoModel
import SikoServer

/// A console request: the API's context plus the session, and the signed-in person once the
/// session middleware has recognised them.
public struct ConsoleContext: ChildRequestContext, SessionRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<ConsoleSession>
    public let remoteAddress: SocketAddress?
    /// The person signed in, as every service takes them.
    public var identity: Identity?
    /// The language pages are rendered in: the user's choice, else German.
    public var language: Language = .de
    /// The CSRF token forms must carry: the session's, or before sign-in the sign-in cookie's.
    public var csrfToken: String?
    /// The request came with a session cookie whose session has ended.
    public var sessionExpired = false

    public init(context: SikoRequestContext) throws {
        coreContext = context.coreContext
        sessions = SessionContext()
        remoteAddress = context.remoteAddress
    }

    /// Forms are small; a bulletin's text is the largest field.
    public var maxUploadSize: Int { 128 * 1024 }
}
