import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SikoConfig
import SikoModel
import SikoServer
import SikoCore
import SikoSQLite
import Synchronization

/// A gateway served on a free port with a fresh SQLite file, plus an HTTP client to load it.
struct LiveGateway {
    let gateway: Gateway
    let store: SQLiteStore
    let baseURL: String
    let client: HTTPClient

    static func with<T>(rules: String, concurrency: Int = 256, _ body: (LiveGateway) async throws -> T) async throws -> T {
        let folder = NSTemporaryDirectory() + "siko-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var logger = Logger(label: "siko-bench")
        logger.logLevel = .error
        let sealer = try SecretSealer.keyFile(at: folder + "/siko.sqlite.key")
        let store = try SQLiteStore(path: folder + "/siko.sqlite", sealer: sealer)
        let channels = ChannelsConfiguration(
            webhook: ChannelSettings(
                retrySchedule: RetrySchedule(delays: [.zero, .seconds(1)]), timeout: .seconds(10), concurrency: concurrency,
                options: WebhookOptions(allowPrivateTargets: [CIDR("127.0.0.0/8")!])
            )
        )
        let gateway = try await Gateway(
            rules: try RulesLoader(directory: rules).load(), channelSettings: channels, store: store, sealer: sealer, logger: logger
        )
        let port = Mutex<Int?>(nil)
        let application = GatewayApplication.make(gateway: gateway, host: "127.0.0.1", port: 0, onServerRunning: { bound in port.withLock { $0 = bound } })
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let serviceGroup = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            let live = LiveGateway(gateway: gateway, store: store, baseURL: "http://127.0.0.1:\(port.withLock { $0! })", client: client)
            let result: T
            do { result = try await body(live) } catch {
                await serviceGroup.triggerGracefulShutdown()
                try? await client.shutdown()
                await gateway.shutdown()
                throw error
            }
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            try await client.shutdown()
            await gateway.shutdown()
            return result
        }
    }

    func key(_ partner: String, _ scopes: Set<Scope>) async throws -> String {
        try await gateway.keys.issue(by: .operator, partner: partner, scopes: scopes.map(\.rawValue)).key
    }

    @discardableResult
    func post(_ path: String, key: String, json: String) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(buffer: body))
    }

    func subscribe(_ key: String, areas: String, target: String) async throws {
        let (status, body) = try await post("/v1/subscriptions", key: key, json: """
            {"name":"bench","areas":\(areas),"channel":"webhook","target":"\(target)"}
            """)
        guard status == 201 else { throw BenchError.unexpected("subscribe answered \(status): \(String(decoding: body, as: UTF8.self))") }
    }

    /// Posts `count` events from `workers` concurrent clients and answers the seconds it took.
    func publish(count: Int, workers: Int, key: String, areas: String = #"["essen"]"#) async throws -> Double {
        let next = TicketCounter()
        let run = UUID().uuidString.prefix(8)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while true {
                        let index = next.take()
                        guard index < count else { return }
                        let (status, body) = try await post("/v1/events", key: key, json: """
                            {"externalId":"bench-\(run)-\(index)","topic":"razzia","urgency":"high","areas":\(areas),"title":"Großkontrolle \(index)","body":"Lastprüfung"}
                            """)
                        guard status == 202 else { throw BenchError.unexpected("publish answered \(status): \(String(decoding: body, as: UTF8.self))") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return elapsed(since: start)
    }
}

/// Hands out 0, 1, 2, … to concurrent workers.
final class TicketCounter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

enum BenchError: Error {
    case unexpected(String)
}

/// A webhook receiver on 127.0.0.1 that counts what it gets and remembers when. Targets are
/// `…/hook/<n>`; with `failEvery` set, every target whose number is a multiple of it answers 503.
final class BenchReceiver: Sendable {
    let received = Atomic<Int>(0)
    let refused = Atomic<Int>(0)
    let arrivals = Mutex<[String: ContinuousClock.Instant]>([:])
    let failEvery: Int?

    init(failEvery: Int? = nil) { self.failEvery = failEvery }

    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            if let id = request.headers[HTTPField.Name("webhook-id")!] {
                let now = ContinuousClock.now
                self.arrivals.withLock { $0[id] = now }
            }
            self.received.add(1, ordering: .relaxed)
            return .noContent
        }
        router.post("hook/:n") { _, context -> HTTPResponse.Status in
            if let every = self.failEvery, let number = context.parameters.get("n", as: Int.self), number % every == 0 {
                self.refused.add(1, ordering: .relaxed)
                return .serviceUnavailable
            }
            self.received.add(1, ordering: .relaxed)
            return .noContent
        }
        let port = Mutex<Int?>(nil)
        var logger = Logger(label: "bench-receiver")
        logger.logLevel = .error
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger
        )
        let serviceGroup = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            let result = try await body("http://127.0.0.1:\(port.withLock { $0! })/hook")
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}
