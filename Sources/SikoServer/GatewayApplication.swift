import SikoCore
import SikoModel
import Hummingbird
import SikoCore
import Logging
import ServiceLifecycle

/// Routes served beside the API, on the same server (the console's pages).
public protocol PageRoutes: Sendable {
    func register(on router: Router<SikoRequestContext>)
}

/// The HTTP application: routes, middleware, and the dispatcher as a service beside the server.
public enum GatewayApplication {
    /// What the HTTP front guards besides the services: the API rate limit per key, unknown keys
    /// per address, trusted proxies, the metrics token.
    public struct Front: Sendable {
        /// Requests per key; nil for no limit.
        public var rateLimit: RateLimiter.Limit?
        public var access: AccessSettings

        public init(rateLimit: RateLimiter.Limit? = nil, access: AccessSettings = .init()) {
            self.rateLimit = rateLimit
            self.access = access
        }
    }

    /// Every route takes the one service it serves; none sees the store.
    public static func router(for gateway: Gateway, front: Front = .init()) -> Router<SikoRequestContext> {
        let router = Router(context: SikoRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        let guesses = GuessThrottle(
            limiter: front.access.unknownKeyLimit.map(RateLimiter.init(limit:)), addresses: ClientAddress(trustedProxies: front.access.trustedProxies)
        )
        OperationsRoutes(operations: gateway.operations, metrics: gateway.metrics, access: front.access, clock: gateway.clock, guesses: guesses)
            .register(on: router)
        CallbackRoutes(receipts: gateway.receipts).register(on: router)
        let v1 = router.group("v1").add(middleware: AuthMiddleware(
            keys: gateway.authority, limiter: front.rateLimit.map(RateLimiter.init(limit:)), guesses: guesses, clock: gateway.clock,
            signatures: RequestSignature(replays: gateway.replays)
        ))
        EventRoutes(publishing: gateway.publishing, explaining: gateway.explaining).register(on: v1)
        BulletinRoutes(bulletins: gateway.bulletins).register(on: v1)
        DeliveryRoutes(deliveries: gateway.deliveries).register(on: v1)
        SubscriptionRoutes(subscriptions: gateway.subscriptions).register(on: v1)
        TestNotificationRoutes(tests: gateway.testNotifications).register(on: v1)
        ReferenceRoutes(reference: { gateway.reference }).register(on: v1)
        KeyRoutes(keys: gateway.keys).register(on: v1)
        AuditRoutes(audit: gateway.audit).register(on: v1)
        return router
    }

    /// `services` run beside the server and the dispatcher (the SIGHUP reloader); `pages` adds
    /// routes beside the API's (the console).
    public static func make(
        gateway: Gateway, front: Front = .init(), host: String, port: Int, limits: ConnectionLimits = .standard, services: [any Service] = [],
        pages: (any PageRoutes)? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = router(for: gateway, front: front)
        pages?.register(on: router)
        var application = Application(
            router: router,
            server: .http1(limitedBy: limits),
            configuration: .init(address: .hostname(host, port: port), serverName: "siko-gateway"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: gateway.logger
        )
        application.addServices(gateway.dispatcher)
        for service in services { application.addServices(service) }
        return application
    }
}
