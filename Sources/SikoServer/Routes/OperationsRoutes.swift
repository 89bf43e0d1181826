import Crypto
import Foundation
import Hummingbird
import Prometheus
import SikoCore
import SikoModel

/// `/health` (the process answers), `/ready` (the store reads and writes), `/metrics` (Prometheus
/// text, behind a bearer token when one is configured).
struct OperationsRoutes {
    let operations: OperationsService
    let metrics: PrometheusCollectorRegistry
    let access: AccessSettings
    let clock: any WallClock
    /// A wrong metrics token spends a guess like an unknown key.
    let guesses: GuessThrottle

    func register(on router: Router<SikoRequestContext>) {
        router.get("health") { _, _ in try JSONBody.response(Status(status: "ok")) }
        router.get("ready") { _, context in
            do {
                try await operations.ready()
                return try JSONBody.response(Status(status: "ready"))
            } catch {
                context.logger.warning("store not ready", metadata: ["error": "\(error)"])
                if let refusal = StoreRefusal(error) { throw Problem.storeUnavailable(refusal, type: "not-ready") }
                throw Problem(status: .serviceUnavailable, type: "not-ready", detail: "the store is not reachable")
            }
        }
        router.get("metrics") { request, context in
            try authorizeMetrics(request, context: context)
            do { try await operations.refreshQueueMetrics() } catch {
                context.logger.warning("queue metrics not readable", metadata: ["error": "\(error)"])
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer()))
            )
        }
    }

    private func authorizeMetrics(_ request: Request, context: SikoRequestContext) throws {
        guard let token = access.metricsToken else { return }
        let client = guesses.client(of: request, context: context)
        try guesses.admit(client, now: clock.now())
        // Digests compare in constant time and hide the token's length.
        let header = request.headers[.authorization] ?? ""
        let given = header.prefix(7).lowercased() == "bearer " ? header.dropFirst(7).trimmingCharacters(in: .whitespaces) : ""
        guard SHA256.hash(data: Array(given.utf8)) == SHA256.hash(data: Array(token.utf8)) else {
            guesses.missed(client, now: clock.now())
            var problem = Problem(status: .unauthorized, type: "unauthorized", title: "Unauthorized", detail: "send the metrics token as 'Authorization: Bearer <token>'")
            problem.headers[.wwwAuthenticate] = "Bearer"
            throw problem
        }
    }
}
