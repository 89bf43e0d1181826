import SikoTestSupport
import SikoTestGateway
import Foundation
import ServiceLifecycle
import Testing
@testable import SikoServer
@testable import SikoCore

/// Clients that trickle, idle or crowd, against a live gateway on real sockets, with small limits
/// passed the way `siko serve`'s flags pass them.
@Suite("Slow and idle clients: request deadline, idle timeout, connection cap")
struct SlowClientTests {
    /// A head that takes almost a minute at a byte a second.
    static let slowHead = "GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: trickle/1.0\r\n\r\n"
    static let health = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"

    /// Runs a gateway held to `limits` on 127.0.0.1 (its own, so no test client takes a connection) and gives `body` its port.
    func withServer(_ limits: ConnectionLimits, _ body: (Int) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            let (ports, bound) = AsyncStream.makeStream(of: Int.self)
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0, limits: limits) { bound.yield($0) }
            let services = ServiceGroup(configuration: .init(services: [application], logger: fixture.gateway.logger))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                do {
                    try await body(port)
                } catch {
                    await services.triggerGracefulShutdown()
                    throw error
                }
                await services.triggerGracefulShutdown()
            }
        }
    }

    /// Asks for /health on new connections until one is answered 200 (bounded).
    func answered(port: Int, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let connection = try? await RawConnection.open(host: "127.0.0.1", port: port) {
                try? await connection.send(Self.health)
                let answered = await connection.waitForAnswers(within: .seconds(2))
                await connection.close()
                if answered { return true }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Sends `prefix` at once and then `trickled` a byte every `pause`; answers how long until the
    /// server closed (nil if it had not within 3 × `bound`) and what it sent.
    func trickle(
        port: Int, prefix: String = "", _ trickled: String, pause: Duration, bound: Duration
    ) async throws -> (closedAfter: Duration?, received: String) {
        let connection = try await RawConnection.open(host: "127.0.0.1", port: port)
        let start = ContinuousClock.now
        if !prefix.isEmpty { try await connection.send(prefix) }
        let trickling = Task { await connection.trickle(trickled, pause: pause) }
        let closed = await connection.waitForClose(within: bound * 3)
        let elapsed = ContinuousClock.now - start
        trickling.cancel()
        await connection.close()
        return (closed ? elapsed : nil, connection.text)
    }

    @Test("a client sending its request head a byte a second is cut off within the request timeout, unanswered")
    func slowHead() async throws {
        let bound = Duration.seconds(2)
        try await withServer(.init(idleTimeout: .seconds(60), requestTimeout: bound, maxConnections: 4096)) { port in
            let (closedAfter, received) = try await trickle(port: port, Self.slowHead, pause: .seconds(1), bound: bound)
            let elapsed = try #require(closedAfter, "still open after \(bound * 3)")
            #expect(elapsed >= bound / 2, "cut off after \(elapsed), before the \(bound) it may take")
            #expect(!received.contains("200"), "answered: \(received)")
        }
    }

    @Test("a body trickled a byte every half second is cut off at the request timeout, though each byte would keep an idle timeout of 1s at bay")
    func slowBody() async throws {
        let bound = Duration.seconds(2)
        try await withServer(.init(idleTimeout: .seconds(1), requestTimeout: bound, maxConnections: 4096)) { port in
            let head = "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n"
            let (closedAfter, _) = try await trickle(
                port: port, prefix: head, String(repeating: " ", count: 64), pause: .milliseconds(500), bound: bound
            )
            let elapsed = try #require(closedAfter, "still open after \(bound * 3)")
            #expect(elapsed >= bound / 2, "cut off after \(elapsed), before the \(bound) it may take")
        }
    }

    @Test("500 clients trickling their heads hold the connection cap (100) only until the request timeout; a normal request is then answered")
    func manySlowClients() async throws {
        OpenFileLimit.raiseToHard()
        let bound = Duration.seconds(2)
        try await withServer(.init(idleTimeout: .seconds(60), requestTimeout: bound, maxConnections: 100)) { port in
            let slow = await withTaskGroup(of: RawConnection?.self) { group in
                for _ in 0..<500 { group.addTask { try? await RawConnection.open(host: "127.0.0.1", port: port) } }
                var opened: [RawConnection] = []
                for await connection in group { if let connection { opened.append(connection) } }
                return opened
            }
            #expect(slow.count == 500)
            let trickling = Task {
                await withTaskGroup(of: Void.self) { group in
                    for connection in slow { group.addTask { await connection.trickle(Self.slowHead, pause: .seconds(1)) } }
                }
            }
            let start = ContinuousClock.now
            let answered = await answered(port: port, within: .seconds(20))
            let elapsed = ContinuousClock.now - start
            let deadline = ContinuousClock.now + bound * 3
            while slow.contains(where: \.isOpen), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            let stillOpen = slow.filter(\.isOpen).count
            trickling.cancel()
            for connection in slow { await connection.close() }
            #expect(answered, "no answer within \(elapsed)")
            #expect(stillOpen == 0, "\(stillOpen) trickling clients still connected")
            #expect(slow.allSatisfy { !$0.text.contains("200") })
        }
    }

    @Test("beyond the connection cap a new connection is closed unanswered, those within it keep working, and closing one makes room")
    func connectionCap() async throws {
        try await withServer(.init(idleTimeout: .seconds(60), requestTimeout: .seconds(30), maxConnections: 5)) { port in
            var admitted: [RawConnection] = []
            for _ in 0..<5 {
                let connection = try await RawConnection.open(host: "127.0.0.1", port: port)
                try await connection.send(Self.health)
                #expect(await connection.waitForAnswers())
                admitted.append(connection)
            }
            let extra = try await RawConnection.open(host: "127.0.0.1", port: port)
            try? await extra.send(Self.health)
            #expect(await extra.waitForClose(within: .seconds(5)), "a sixth connection stays open")
            #expect(extra.text.isEmpty, "a sixth connection was answered: \(extra.text)")
            for connection in admitted {
                try await connection.send(Self.health)
                #expect(await connection.waitForAnswers(count: 2), "a connection within the cap stopped working")
            }
            await admitted[0].close()
            #expect(await answered(port: port, within: .seconds(5)), "no room after a connection closed")
            for connection in admitted { await connection.close() }
        }
    }

    @Test("siko serve started with a soft open-file limit of 1024 raises it to the hard limit, so the default cap of 4096 is reachable")
    func openFileLimit() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let server = try SikoServe(
            arguments: ["serve", "--data", folder.file("data"), "--port", "0"], wrapper: ["/usr/bin/prlimit", "--nofile=1024:"]
        )
        do {
            _ = try await server.waitFor("listening")
            let limits = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/limits", encoding: .utf8)
            let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
            let numbers = line.split(separator: " ").compactMap { Int($0) }
            #expect(numbers.count == 2 && numbers[0] == numbers[1] && numbers[0] > 1024, "\(line)")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test("a keep-alive connection left idle is closed after the idle timeout")
    func idleConnection() async throws {
        // Long enough that a loaded machine answers the first request before it passes.
        let idle = Duration.seconds(3)
        try await withServer(.init(idleTimeout: idle, requestTimeout: .seconds(30), maxConnections: 4096)) { port in
            let connection = try await RawConnection.open(host: "127.0.0.1", port: port)
            try await connection.send(Self.health)
            #expect(await connection.waitForAnswers())
            #expect(connection.isOpen, "closed at once after the answer")
            #expect(await connection.waitForClose(within: idle * 3), "an idle connection is still open after \(idle * 3)")
            await connection.close()
        }
    }
}
