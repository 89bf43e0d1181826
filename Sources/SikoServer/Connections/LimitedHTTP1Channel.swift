import SikoModel
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with `ConnectionLimits`: its idle timeout, a deadline for reading
/// each request, and a cap on connections open at once.
struct LimitedHTTP1Channel: ServerChildChannel {
    private let base: HTTP1Channel
    private let cap: ConnectionCap
    private let requestTimeout: TimeAmount

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits) {
        base = HTTP1Channel(responder: responder, configuration: .init(
            additionalChannelHandlers: [RequestEndSignal()], idleTimeout: TimeAmount(limits.idleTimeout)
        ))
        cap = ConnectionCap(limit: limits.maxConnections)
        requestTimeout = TimeAmount(limits.requestTimeout)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        guard cap.admit(channel) else {
            logger.debug("closing a connection beyond the cap", metadata: ["maxConnections": "\(cap.limit)"])
            // NIO's accept loop drops a channel whose setup failed but leaves closing it to us.
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ConnectionCap.Reached())
        }
        do {
            try channel.pipeline.syncOperations.addHandler(RequestReadDeadline(bound: requestTimeout, logger: logger), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server held to `limits`.
    static func http1(limitedBy limits: ConnectionLimits) -> HTTPServerBuilder {
        .init { responder in LimitedHTTP1Channel(responder: responder, limits: limits) }
    }
}
