import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SikoModel

/// Looks host names up with getaddrinfo on threads of its own, never on NIO's shared pool, so a name
/// server that does not answer holds one of these threads and nothing else. getaddrinfo cannot be
/// cancelled: a caller waits until its deadline and goes while the lookup runs on. Hence one lookup
/// per name at a time, a fixed number of threads (a stuck one is not replaced), and a caller who
/// finds them all taken is told so at once instead of queueing behind lookups that may never end.
public final class HostResolver: Sendable {
    /// One for the process, so every guard shares its threads and what it has learnt.
    public static let shared = HostResolver()

    private let pool: NIOThreadPool
    private let lookups: NIOLockedValueBox<NameLookups<EventLoopFuture<LookupAnswer>>>

    public init(limits: NameLookups<EventLoopFuture<LookupAnswer>>.Limits = .init()) {
        pool = NIOThreadPool(numberOfThreads: limits.lookups)
        pool.start()
        lookups = NIOLockedValueBox(NameLookups(limits: limits))
    }

    deinit { pool.shutdownGracefully { _ in } }

    /// The addresses of `name`, or why not, within `deadline`.
    public func resolve(_ name: String, within deadline: Duration) async -> LookupAnswer {
        var started: EventLoopPromise<LookupAnswer>?
        let step = lookups.withLockedValue { lookups in
            lookups.begin(name, deadline: deadline, now: .now) {
                let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: LookupAnswer.self)
                started = promise
                return promise.futureResult
            }
        }
        // Outside the lock: NIO may run a callback at once, and the callback takes the lock.
        if let started { run(name, into: started) }
        switch step {
        case .answer(let answer): return answer
        case .wait(let lookup, let until): return await wait(for: lookup, until: until, orElse: .timedOut(name, after: deadline))
        }
    }

    private func run(_ name: String, into promise: EventLoopPromise<LookupAnswer>) {
        let lookups = lookups
        promise.futureResult.whenSuccess { answer in
            lookups.withLockedValue { $0.finish(name, answer, now: .now) }
        }
        pool.runIfActive(eventLoop: promise.futureResult.eventLoop) { Self.lookUp(name) }
            .recover { .failed("cannot resolve \(name): \($0)") }
            .cascade(to: promise)
    }

    private func wait(for lookup: EventLoopFuture<LookupAnswer>, until: ContinuousClock.Instant, orElse late: LookupAnswer) async -> LookupAnswer {
        let loop = lookup.eventLoop
        let outcome = loop.makePromise(of: LookupAnswer.self)
        // Both complete `outcome` on its loop; whichever comes second is ignored.
        let timer = loop.scheduleTask(in: .milliseconds(max(0, (until - .now).milliseconds))) { outcome.succeed(late) }
        lookup.whenSuccess { answer in
            timer.cancel()
            outcome.succeed(answer)
        }
        return (try? await outcome.futureResult.get()) ?? late
    }

    private static func lookUp(_ name: String) -> LookupAnswer {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(name, nil, &hints, &result)
        guard code == 0, let first = result else { return .failed("cannot resolve \(name): \(String(cString: gai_strerror(code)))") }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin6_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        return .addresses(addresses)
    }
}
