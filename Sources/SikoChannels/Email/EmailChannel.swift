import Foundation
import SikoModel

/// Email over SMTP (libcurl): multipart text and HTML from the templates. 2xx is `sent`;
/// a 4xx reply or a failed connection is tried again; a permanent 5xx (550 user unknown) is dead,
/// with the server's reply as the reason. Every message goes through one relay, so what holds
/// back all of them counts against it: a transient 4xx, refused credentials, no connection.
public final class EmailChannel: Channel {
    public struct Settings: Sendable {
        public var options: EmailOptions
        public var timeout: Duration
        /// Messages in flight at once, each on its own connection and thread.
        public var concurrency: Int
        /// Keep connections open across messages (the default); off opens one per message.
        public var reuseConnections = true

        public init(options: EmailOptions, timeout: Duration, concurrency: Int) {
            self.options = options
            self.timeout = timeout
            self.concurrency = concurrency
        }
    }

    public let kind = ChannelKind.email
    private let settings: Settings
    /// The gateway's pages as partners reach them, for links in messages.
    public var links: Links { settings.options.links }
    public var ratePerSecond: Double? { settings.options.ratePerSecond }
    private var from: Mailbox { settings.options.from }
    private let templates: EmailTemplates
    private let reference: ReferenceData
    private let transport: SMTPTransport
    private let clock: any WallClock

    public init(settings: Settings, templates: EmailTemplates, reference: ReferenceData, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.templates = templates
        self.reference = reference
        self.clock = clock
        transport = SMTPTransport(
            settings: SMTPSettings(options: settings.options, timeout: settings.timeout, reuseConnections: settings.reuseConnections),
            concurrency: settings.concurrency
        )
    }

    public func send(_ job: DeliveryJob) async -> SendReport {
        let message = compose(job)
        let result = await transport.send(from: from.address, to: job.delivery.target, message: message.rendered())
        return Self.classify(result)
    }

    /// A plain message from the gateway itself (a notice to a partner), not a delivery.
    public func sendNotice(to address: String, subject: String, text: String, id: String) async -> SendReport {
        let html = "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"></head><body><p>"
            + text.split(separator: "\n", omittingEmptySubsequences: false).map { Self.escapeHTML(String($0)) }.joined(separator: "<br>\n")
            + "</p></body></html>\n"
        let message = MailMessage(
            from: (from.name, from.address), to: address, subject: subject, text: text + "\n", html: html,
            messageID: "\(id)@\(from.domain)", date: clock.now()
        )
        return Self.classify(await transport.send(from: from.address, to: address, message: message.rendered()))
    }

    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    func compose(_ job: DeliveryJob) -> MailMessage {
        let rendered = templates.render(MessageContext(job: job, reference: reference, links: links))
        return MailMessage(
            from: (from.name, from.address), to: job.delivery.target, subject: rendered.subject,
            text: rendered.text, html: rendered.html, messageID: "\(job.delivery.id)@\(from.domain)", date: clock.now(),
            extraHeaders: [("X-SiKo-Delivery-Id", job.delivery.id)]
        )
    }

    static func classify(_ result: SMTPResult) -> SendReport {
        let code = result.replyCode
        let reply = result.reply.hasPrefix(String(code)) ? result.reply : "\(code) \(result.error)"
        if result.succeeded { return SendReport(.sent, responseCode: code == 0 ? 250 : code, host: .healthy) }
        if result.loginDenied {
            return SendReport(.retry(after: nil, reason: "SMTP authentication failed: \(reply)"), responseCode: code, host: .unhealthy)
        }
        switch code {
        case 400..<500: return SendReport(.retry(after: nil, reason: "SMTP \(reply)"), responseCode: code, host: .unhealthy)
        // About this recipient or message, not the relay.
        case 500..<600: return SendReport(.permanent(reason: "SMTP \(reply)"), responseCode: code, host: .unknown)
        default: return SendReport(.retry(after: nil, reason: "SMTP connection failed: \(result.error)"), host: .unhealthy)
        }
    }

    public func shutdown() async throws {
        try await transport.shutdown()
    }
}
