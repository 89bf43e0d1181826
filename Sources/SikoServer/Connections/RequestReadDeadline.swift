import SikoModel
import HummingbirdCore
import Logging
import NIOCore

/// Closes the connection when a request's head and body have not arrived within `bound` of its
/// first byte. Hummingbird's idle timeout cannot do this: it waits for whole HTTP parts, and every
/// body part restarts it, so a body trickled a byte at a time would never end it.
///
/// It sits first in the pipeline, before the HTTP decoder, because only there does the first byte
/// of a head show; `RequestEndSignal`, after the decoder, reports each request's end back to it.
/// One timer per connection, rescheduled only when it fires, keeps the cost per request to a clock read.
final class RequestReadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let bound: TimeAmount
    private let logger: Logger
    /// When the request being read began; nil between requests.
    private var startedAt: NIODeadline?
    private var timer: Scheduled<Void>?

    init(bound: TimeAmount, logger: Logger) {
        self.bound = bound
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The start of a request pipelined behind the one that just ended is not seen here; its
        // bytes wait in the decoder, and the idle timeout still closes a connection that stops there.
        if startedAt == nil {
            let now = NIODeadline.now()
            startedAt = now
            if timer == nil { schedule(context, at: now + bound) }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is RequestEndSignal.RequestRead else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        startedAt = nil
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let startedAt else { return }
            if NIODeadline.now() >= startedAt + bound {
                logger.debug("closing a connection whose request did not arrive in time", metadata: ["bound": "\(bound)"])
                context.close(promise: nil)
            } else {
                schedule(context, at: startedAt + bound)
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

/// Tells `RequestReadDeadline`, which sees only bytes, that a request has been read to its end.
final class RequestEndSignal: ChannelInboundHandler, RemovableChannelHandler {
    /// The decoded request parts of Hummingbird's pipeline.
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn

    struct RequestRead {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { context.triggerUserOutboundEvent(RequestRead(), promise: nil) }
        context.fireChannelRead(data)
    }
}
