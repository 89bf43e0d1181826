import AsyncHTTPClient
import Foundation
import NIOCore
import SikoModel

/// Kannel's HTTP `sendsms` interface. Kannel answers 202 once it has taken the message; a 4xx is
/// its refusal (bad number, bad credentials), a 5xx or no answer its trouble, which counts against
/// it as a host.
public final class KannelGateway: SMSGateway {
    private let options: SMSOptions
    private let timeout: Duration
    private let client: HTTPClient
    private let outboundGuard: OutboundGuard
    /// `options.url`, parsed once: the guard checks its host before every message.
    private let gatewayURL: URLComponents?

    /// The gateway's URL may lead only where `options.allowPrivateTargets` allows.
    public init(options: SMSOptions, timeout: Duration) {
        self.options = options
        self.timeout = timeout
        outboundGuard = OutboundGuard(policy: options.outbound)
        gatewayURL = URLComponents(string: options.url)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .milliseconds(timeout.milliseconds))
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The sendsms request: UTF-8 text, and `coding` 2 (UCS-2) whenever GSM-7 cannot carry it,
    /// since Kannel would otherwise replace what GSM lacks by "?".
    func url(for message: SMSMessage, base: String) -> String {
        var parameters: [(String, String)] = [
            ("username", options.user), ("password", options.password), ("from", options.from), ("to", message.to),
            ("text", message.text), ("charset", "UTF-8"), ("coding", message.encoding == .gsm7 ? "0" : "2"),
        ]
        if let reportURL = message.reportURL {
            // Every kind of report: delivered, failed, buffered, accepted and rejected by the SMSC.
            parameters += [("dlr-mask", "31"), ("dlr-url", reportURL)]
        }
        let query = parameters.map { "\($0)=\(Self.escaped($1))" }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }

    /// Everything but RFC 3986's unreserved characters escaped: URLComponents would leave "&", "="
    /// and "+" raw in a value, which cuts a text at its first "&" and mangles numbers and report URLs.
    static func escaped(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public func submit(_ message: SMSMessage) async -> SendReport {
        guard let gatewayURL else { return Self.unreachable("SMS gateway URL is not a URL") }
        let pinned: (url: String, host: String)?
        switch await outboundGuard.check(gatewayURL) {
        case .allowed(let addresses): pinned = OutboundGuard.pinned(gatewayURL, to: addresses)
        // The gateway is the operator's, not a partner's: a refusal is a configuration to fix, so
        // the message waits for it (and a reload) instead of dying.
        case .refused(let reason): return Self.unreachable("SMS gateway refused by the outbound guard: \(reason.en)")
        case .unresolvable(let reason): return Self.unreachable("SMS gateway: \(reason)")
        }
        var request = HTTPClientRequest(url: url(for: message, base: pinned?.url ?? options.url))
        if let pinned { request.headers.add(name: "host", value: pinned.host) }
        request.method = .GET
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeout.milliseconds))
            let body = String(buffer: try await response.body.collect(upTo: 4096)).trimmingCharacters(in: .whitespacesAndNewlines)
            return Self.classify(status: Int(response.status.code), body: body)
        } catch {
            return Self.unreachable("SMS gateway not reachable: \(error)")
        }
    }

    /// Pure, so each answer is tested without a gateway. A refusal (4xx) is about the message and
    /// tells nothing of the gateway's health.
    static func classify(status: Int, body: String) -> SendReport {
        let detail = "SMS gateway \(status): \(body.prefix(200))"
        switch status {
        case 200..<300: return SendReport(.sent, responseCode: status, host: .healthy)
        case 400..<500: return SendReport(.permanent(reason: detail), responseCode: status, host: .unknown)
        case 500...: return SendReport(.retry(after: nil, reason: detail), responseCode: status, host: .unhealthy)
        default: return SendReport(.retry(after: nil, reason: detail), responseCode: status, host: .healthy)
        }
    }

    /// The gateway could not be reached (or may not be): tried again, against the gateway.
    static func unreachable(_ reason: String) -> SendReport {
        SendReport(.retry(after: nil, reason: reason), host: .unhealthy)
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}
