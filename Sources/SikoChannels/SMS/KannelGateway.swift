import AsyncHTTPClient
import Foundation
import NIOCore
import SikoModel

/// Kannel's HTTP `sendsms` interface. Kannel answers 202 once it has taken the message; a 4xx is
/// its refusal (bad number, bad credentials), a 5xx or no answer its trouble.
public final class KannelGateway: SMSGateway {
    public struct Settings: Sendable {
        /// The `sendsms` URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms.
        public var url: String
        public var user: String
        public var password: String
        public var from: String
        public var timeout: Duration
        /// Where the gateway's URL may lead although private or loopback (`allowPrivateTargets` in sms.yaml).
        public var outbound: OutboundPolicy

        public init(url: String, user: String, password: String, from: String, timeout: Duration, outbound: OutboundPolicy) {
            self.outbound = outbound
            self.url = url
            self.user = user
            self.password = password
            self.from = from
            self.timeout = timeout
        }
    }

    private let settings: Settings
    private let client: HTTPClient
    private let outboundGuard: OutboundGuard
    /// `settings.url`, parsed once: the guard checks its host before every message.
    private let gatewayURL: URLComponents?

    public init(settings: Settings) {
        self.settings = settings
        outboundGuard = OutboundGuard(policy: settings.outbound)
        gatewayURL = URLComponents(string: settings.url)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .milliseconds(settings.timeout.milliseconds))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The sendsms request: UTF-8 text, and `coding` 2 (UCS-2) whenever GSM-7 cannot carry it,
    /// since Kannel would otherwise replace what GSM lacks by "?".
    func url(for message: SMSMessage, base: String) -> String {
        var parameters: [(String, String)] = [
            ("username", settings.user), ("password", settings.password), ("from", settings.from), ("to", message.to),
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
        guard let gatewayURL else { return SendReport(.retry(after: nil, reason: "SMS gateway URL is not a URL")) }
        let pinned: (url: String, host: String)?
        switch await outboundGuard.check(gatewayURL) {
        case .allowed(let addresses): pinned = OutboundGuard.pinned(gatewayURL, to: addresses)
        // The gateway is the operator's, not a partner's: a refusal is a configuration to fix, so
        // the message waits for it (and a reload) instead of dying.
        case .refused(let reason): return SendReport(.retry(after: nil, reason: "SMS gateway refused by the outbound guard: \(reason)"))
        case .unresolvable(let reason): return SendReport(.retry(after: nil, reason: "SMS gateway: \(reason)"))
        }
        var request = HTTPClientRequest(url: url(for: message, base: pinned?.url ?? settings.url))
        if let pinned { request.headers.add(name: "host", value: pinned.host) }
        request.method = .GET
        do {
            let response = try await client.execute(request, timeout: .milliseconds(settings.timeout.milliseconds))
            let body = String(buffer: try await response.body.collect(upTo: 4096)).trimmingCharacters(in: .whitespacesAndNewlines)
            return Self.classify(status: Int(response.status.code), body: body)
        } catch {
            return SendReport(.retry(after: nil, reason: "SMS gateway not reachable: \(error)"))
        }
    }

    static func classify(status: Int, body: String) -> SendReport {
        let detail = "SMS gateway \(status): \(body.prefix(200))"
        switch status {
        case 200..<300: return SendReport(.sent, responseCode: status)
        case 400..<500: return SendReport(.permanent(reason: detail), responseCode: status)
        default: return SendReport(.retry(after: nil, reason: detail), responseCode: status)
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}
