import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP application: routes, middleware, and the dispatcher as a service beside the server.
public enum GatewayApplication {
    public static func router(for gateway: Gateway) -> Router<SikoRequestContext> {
        let router = Router(context: SikoRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        let guesses = GuessThrottle(
            limiter: gateway.access.unknownKeyLimit.map(RateLimiter.init(limit:)), addresses: ClientAddress(trustedProxies: gateway.access.trustedProxies)
        )
        OperationsRoutes(gateway: gateway, guesses: guesses).register(on: router)
        CallbackRoutes(gateway: gateway).register(on: router)
        let v1 = router.group("v1").add(middleware: AuthMiddleware(
            keys: gateway.keys, limiter: gateway.rateLimiter, guesses: guesses, clock: gateway.clock,
            signatures: RequestSignature(store: gateway.store)
        ))
        EventRoutes(gateway: gateway).register(on: v1)
        DeliveryRoutes(gateway: gateway).register(on: v1)
        SubscriptionRoutes(gateway: gateway).register(on: v1)
        ReferenceRoutes(gateway: gateway).register(on: v1)
        KeyRoutes(gateway: gateway).register(on: v1)
        AuditRoutes(gateway: gateway).register(on: v1)
        return router
    }

    /// `services` run beside the server and the dispatcher (the SIGHUP reloader).
    public static func make(
        gateway: Gateway, host: String, port: Int, limits: ConnectionLimits = .standard, services: [any Service] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var application = Application(
            router: router(for: gateway),
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
