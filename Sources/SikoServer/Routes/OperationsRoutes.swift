import Hummingbird

/// `/health` (the process answers), `/ready` (the store answers), `/metrics` (Prometheus text).
struct OperationsRoutes {
    let gateway: Gateway

    func register(on router: Router<SikoRequestContext>) {
        router.get("health") { _, _ in try JSONBody.response(Status(status: "ok")) }
        router.get("ready") { _, context in
            do {
                try await gateway.store.ping()
                return try JSONBody.response(Status(status: "ready"))
            } catch {
                context.logger.warning("store not reachable", metadata: ["error": "\(error)"])
                throw Problem(status: .serviceUnavailable, type: "not-ready", detail: "the store is not reachable")
            }
        }
        router.get("metrics") { _, context in
            do { try await gateway.refreshQueueMetrics() } catch {
                context.logger.warning("queue metrics not readable", metadata: ["error": "\(error)"])
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: gateway.metrics.emitToBuffer()))
            )
        }
    }
}
