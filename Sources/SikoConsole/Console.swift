import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import SikoCore
import SikoModel
import SikoServer

/// The web console: server-rendered pages under the public URL, German first, over the same
/// services as the API. `register(on:)` adds its routes beside the API's.
public struct Console: PageRoutes {
    public struct Settings: Sendable {
        /// Where people reach the gateway; decides the `Secure` cookie flag and where VS-NfD is shown.
        public var publicURL: String
        /// The feedback contact of the accessibility statement.
        public var accessibilityContact: String
        /// Proxies whose X-Forwarded-For names the client, for the sign-in throttle per address.
        public var trustedProxies: [CIDR]
        public var lifetime: SessionLifetime

        public init(publicURL: String, accessibilityContact: String, trustedProxies: [CIDR] = [], lifetime: SessionLifetime = .standard) {
            self.publicURL = publicURL
            self.accessibilityContact = accessibilityContact
            self.trustedProxies = trustedProxies
            self.lifetime = lifetime
        }

        /// Over https, or over http on loopback (a gateway tried out on one machine).
        public var carriesRestricted: Bool {
            guard let url = URLComponents(string: publicURL), let scheme = url.scheme?.lowercased() else { return false }
            if scheme == "https" { return true }
            let host = url.host?.lowercased() ?? ""
            return scheme == "http" && (host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127."))
        }

        public var secureCookies: Bool { publicURL.lowercased().hasPrefix("https://") }
    }

    /// The session cookie: `HttpOnly`, `SameSite=Strict`, `Secure` when the public URL is https.
    static let sessionCookie = "SIKO_SESSION"

    let gateway: Gateway
    let settings: Settings
    var lifetime: SessionLifetime { settings.lifetime }
    var clientAddress: ClientAddress { ClientAddress(trustedProxies: settings.trustedProxies) }
    let renderer: PageRenderer
    let files: StaticFiles

    public init(gateway: Gateway, settings: Settings, resources: ConsoleResources) throws {
        self.gateway = gateway
        self.settings = settings
        renderer = PageRenderer(templates: resources.templates, times: TimeText())
        files = try StaticFiles(directory: resources.staticDirectory)
    }

    func views(_ context: ConsoleContext) -> Views { Views(language: context.language, reference: gateway.reference) }

    public func register(on router: Router<SikoRequestContext>) {
        let console = router.group("", context: ConsoleContext.self)
            .add(middleware: SecurityHeaders<ConsoleContext>())
            .add(middleware: ConsoleErrors(renderer: renderer, logger: gateway.logger))
            .add(middleware: SessionMiddleware<ConsoleContext>(
                storage: StorePersistDriver(store: gateway.sessions, lifetime: settings.lifetime, clock: gateway.clock),
                configuration: .init(
                    sessionCookieParameters: .init(name: Self.sessionCookie, path: "/", secure: settings.secureCookies, sameSite: .strict),
                    keyPrefix: "",
                    // The cookie lives as long as a session may; the store ends it after 30 idle minutes.
                    defaultSessionExpiration: settings.lifetime.absolute
                )
            ))
            .add(middleware: ConsoleSignIn(signIn: gateway.signIn, lifetime: settings.lifetime, clock: gateway.clock, secureCookies: settings.secureCookies))
        files.register(on: console)
        SignInPages(console: self).register(on: console)
        InfoPages(console: self).register(on: console)
        OverviewPages(console: self).register(on: console)
        DeliveryPages(console: self).register(on: console)
        SubscriptionPages(console: self).register(on: console)
        AuditPage(console: self).register(on: console)
        BulletinPages(console: self).register(on: console)
        UserPages(console: self).register(on: console)
        KeyPages(console: self).register(on: console)
    }
}

/// The stylesheet and the script, read once at start and served with a fingerprint-free path.
struct StaticFiles: Sendable {
    let files: [String: (type: String, body: ByteBuffer)]

    init(directory: URL) throws {
        var files: [String: (String, ByteBuffer)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "application/octet-stream"
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = (type, ByteBuffer(bytes: data))
        }
        self.files = files
    }

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("static/:name") { _, context in
            guard let name = context.parameters.get("name"), let file = files[name] else { throw ConsoleFailure.notFound }
            return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "max-age=300"], body: .init(byteBuffer: file.body))
        }
    }
}
