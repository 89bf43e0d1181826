import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
import SikoModel

/// Signed HTTP POSTs (Standard Webhooks). 2xx is delivered, 410 gives the subscription up,
/// everything else is tried again; redirects are not followed. A host that does not answer, or
/// answers 5xx or 429, is unhealthy; one that asks for a pause by Retry-After is held instead.
public final class WebhookChannel: Channel {
    public struct Settings: Sendable {
        public var options: WebhookOptions
        public var timeout: Duration
        public var concurrency: Int
        public var userAgent = "SiKo-Gateway/1.0"
        /// What subscriptions with `"format": "cap"` receive; without it they get JSON.
        public var cap: CAPPayload?

        public init(options: WebhookOptions, timeout: Duration, concurrency: Int, cap: CAPPayload? = nil) {
            self.cap = cap
            self.options = options
            self.timeout = timeout
            self.concurrency = concurrency
        }
    }

    public let kind = ChannelKind.webhook
    public let boundsItsOwnExchange = true
    private let settings: Settings
    /// Plain http, already pinned by its URL (the checked address, the name in `Host`).
    private let client: HTTPClient
    /// https, pinned by the client (the checked address, the name for SNI and the certificate).
    private let pinnedClients: PinnedClients
    private let outboundGuard: OutboundGuard
    private let clock: any WallClock
    private let encodedEvents = NIOLockedValueBox(RecentValues<[UInt8]>(capacity: 256))

    public init(settings: Settings, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
        outboundGuard = OutboundGuard(policy: settings.options.outbound, dnsTimeout: settings.options.dnsTimeout)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(
            connect: .milliseconds(min(5000, settings.timeout.milliseconds)), read: .milliseconds(settings.timeout.milliseconds)
        )
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, settings.concurrency)
        )
        configuration.decompression = .disabled
        // Nobody collects traces from the gateway; without this every send builds a no-op span
        // with its attributes.
        configuration.tracing.tracer = nil
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.options.caFile { tls.additionalTrustRoots = [.file(caFile)] }
        configuration.tlsConfiguration = tls
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        pinnedClients = PinnedClients(configuration: configuration, grace: settings.timeout + .seconds(1))
    }

    public func send(_ job: DeliveryJob) async -> SendReport {
        guard let secret = job.secret, let signer = try? WebhookSigner(secret: secret) else {
            return SendReport(.permanent(reason: "the subscription has no valid signing secret"), host: .unknown)
        }
        guard let url = URLComponents(string: job.delivery.target), url.host != nil,
              let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            return SendReport(.permanent(reason: "target is not an http(s) URL"), host: .unknown)
        }
        let addresses: [IPAddress]
        switch await outboundGuard.check(url) {
        case .refused(let reason): return SendReport(.permanent(reason: "target refused by the outbound guard: \(reason.en)"), host: .unknown)
        case .unresolvable(let reason): return SendReport(.retry(after: nil, reason: reason), host: .unhealthy)
        case .allowed(let checked): addresses = checked
        }
        let body: [UInt8]
        var contentType = "application/json"
        do {
            if job.format == .cap, let cap = settings.cap {
                body = cap.body(job.event, content: job.delivery.content)
                contentType = CAPPayload.contentType
            } else {
                body = try WebhookPayload.body(
                    deliveryId: job.delivery.id, subscriptionId: job.delivery.subscriptionId,
                    eventJSON: try eventJSON(job.event.localized(for: job.language), content: job.delivery.content, language: job.language)
                )
            }
        } catch {
            return SendReport(.permanent(reason: "cannot encode the payload: \(error)"), host: .unknown)
        }
        let timestamp = Int(clock.now().timeIntervalSince1970)
        let pinned = OutboundGuard.pinned(url, to: addresses)
        var request = HTTPClientRequest(url: pinned?.url ?? job.delivery.target)
        if let pinned { request.headers.add(name: "host", value: pinned.host) }
        let client = Self.pinnedHost(url, addresses).map { pinnedClients.client(host: $0.host, address: $0.address) } ?? self.client
        request.method = .POST
        request.headers.add(name: "content-type", value: contentType)
        request.headers.add(name: "user-agent", value: settings.userAgent)
        request.headers.add(name: "webhook-id", value: job.delivery.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signer.signature(id: job.delivery.id, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        // The client's own deadline ends with the response head; this one covers the whole exchange,
        // so a receiver that trickles its answer cannot hold the send past `timeout`.
        let report = await Deadline.run(within: settings.timeout) { [client, clock, request, settings] in
            do {
                let response = try await client.execute(request, timeout: .milliseconds(settings.timeout.milliseconds))
                let excerpt = try await Self.excerpt(of: response)
                return Self.classify(
                    status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"), excerpt: excerpt, now: clock.now()
                )
            } catch {
                return Self.failed(error)
            }
        }
        return report ?? SendReport(.retry(after: nil, reason: "timed out"), host: .unhealthy)
    }

    /// The name an https target's client pins to the first checked address; nil for plain http
    /// (pinned by its URL) and for literal addresses (nothing to resolve).
    static func pinnedHost(_ url: URLComponents, _ addresses: [IPAddress]) -> (host: String, address: IPAddress)? {
        guard url.scheme?.lowercased() == "https", let host = url.host, IPAddress(host) == nil, !host.hasPrefix("["),
              let address = addresses.first else { return nil }
        return (host, address)
    }

    /// Maps an HTTP answer to an outcome; pure, so each branch is tested without a network.
    static func classify(status: Int, retryAfter: String?, excerpt: String, now: Date) -> SendReport {
        let detail = excerpt.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(excerpt)"
        switch status {
        case 200..<300: return SendReport(.delivered, responseCode: status, host: .healthy)
        case 410: return SendReport(.gone(reason: "\(detail) (subscription disabled)"), responseCode: status, host: .healthy)
        case 429, 503:
            if let after = retryAfter.flatMap({ RetryAfter.parse($0, now: now) }) {
                return SendReport(.retry(after: after, reason: detail), responseCode: status, host: .unknown)
            }
            return SendReport(.retry(after: nil, reason: detail), responseCode: status, host: .unhealthy)
        default: return SendReport(.retry(after: nil, reason: detail), responseCode: status, host: health(status: status))
        }
    }

    /// A host that answers is healthy unless it says it is failing (5xx) or overwhelmed (429).
    static func health(status: Int) -> HostHealth {
        status >= 500 || status == 429 ? .unhealthy : .healthy
    }

    /// No answer at all (refused, reset, timed out, TLS failed): tried again, against the host.
    static func failed(_ error: any Error) -> SendReport {
        SendReport(.retry(after: nil, reason: describe(error)), host: .unhealthy)
    }

    /// Keeps the first 200 bytes of the answer for the record and stops reading there: dropping the
    /// rest of the body closes the connection, so a receiver's endless answer costs nothing.
    private static func excerpt(of response: HTTPClientResponse) async throws -> String {
        var kept: [UInt8] = []
        for try await chunk in response.body {
            kept += chunk.readableBytesView.prefix(200 - kept.count)
            if kept.count >= 200 { break }
        }
        return String(decoding: kept, as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
    }

    /// What the subscription's owner reads: the kind of failure only, never the network's own words
    /// (addresses, ports, errno), so `lastError` tells nothing about hosts beyond the checked one.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "connection closed by the receiver"
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError { return "TLS handshake failed (certificate not trusted for the name?)" }
        return "connection failed"
    }

    /// The encoded event, from a small cache: a fan-out sends the same event to many targets.
    private func eventJSON(_ event: Event, content: DeliveryContent, language: Language) throws -> [UInt8] {
        var key = content == .full ? event.id : event.id + "/" + content.rawValue
        if !event.translations.isEmpty { key += "/" + language.rawValue }
        if let cached = encodedEvents.withLockedValue({ $0.value(for: key) }) { return cached }
        let json = try WebhookPayload.eventJSON(event, content: content)
        encodedEvents.withLockedValue { $0.insert(json, for: key) }
        return json
    }

    public func shutdown() async throws {
        await pinnedClients.shutdown()
        try await client.shutdown()
    }
}

/// `Retry-After` as seconds or as an HTTP date, capped at a day.
enum RetryAfter {
    static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed), seconds >= 0 { return .seconds(min(seconds, 86_400)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .seconds(Int64(min(max(0, date.timeIntervalSince(now)), 86_400)))
    }
}

/// The last few values by key, oldest dropped first.
struct RecentValues<Value: Sendable>: Sendable {
    let capacity: Int
    private var values: [String: Value] = [:]
    private var order: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    func value(for key: String) -> Value? { values[key] }

    mutating func insert(_ value: Value, for key: String) {
        if values.updateValue(value, forKey: key) == nil { order.append(key) }
        if order.count > capacity { values[order.removeFirst()] = nil }
    }
}
