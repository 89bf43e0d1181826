import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP client: sends bytes when told (all at once or one at a time), keeps what the server
/// sends, and notices when the server closes. For clients no HTTP library would imitate.
public final class RawConnection: Sendable {
    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(_ received: Received) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.text.withLock { $0 += text }
        }
    }

    private final class Received: Sendable {
        let text = Mutex("")
    }

    private let channel: any Channel
    private let received: Received

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    public static func open(host: String = "localhost", port: Int) async throws -> RawConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Recorder(received)) }
            }
            .connect(host: host, port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    /// Everything the server has sent so far.
    public var text: String { received.text.withLock { $0 } }
    public var isOpen: Bool { channel.isActive }

    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Sends `text` a byte at a time, `pause` apart, until it is sent or the server closes.
    public func trickle(_ text: String, pause: Duration) async {
        for byte in text.utf8 {
            guard isOpen, !Task.isCancelled, (try? await channel.writeAndFlush(ByteBuffer(bytes: [byte]))) != nil else { return }
            try? await Task.sleep(for: pause)
        }
    }

    /// Waits (bounded) until the server has sent `count` answers with `status`.
    public func waitForAnswers(_ status: String = "HTTP/1.1 200", count: Int = 1, within limit: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if text.components(separatedBy: status).count - 1 >= count { return true }
            if !isOpen { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return text.components(separatedBy: status).count - 1 >= count
    }

    /// Waits (bounded) until the server closes the connection; true if it did.
    public func waitForClose(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, isOpen { try? await Task.sleep(for: .milliseconds(10)) }
        return !isOpen
    }

    public func close() async {
        try? await channel.close()
    }
}
