import Foundation
import Mustache
import SikoModel

/// SMS: one template per language (`sms.de.mustache`), cut to `maxSegments` with "..." and the
/// link, sent through a gateway at no more than its rate.
public final class SMSChannel: Channel {
    public let kind = ChannelKind.sms
    public var ratePerSecond: Double? { options.ratePerSecond }
    private let options: SMSOptions
    /// Signs each delivery's report URL; nil sends without asking for reports.
    private let receiptToken: ReceiptToken?
    private let templates: SMSTemplates
    private let reference: ReferenceData
    private let gateway: any SMSGateway

    public init(
        options: SMSOptions, receiptToken: ReceiptToken? = nil, templates: SMSTemplates, reference: ReferenceData, gateway: any SMSGateway
    ) {
        self.options = options
        self.receiptToken = receiptToken
        self.templates = templates
        self.reference = reference
        self.gateway = gateway
    }

    public func send(_ job: DeliveryJob) async -> SendReport {
        await gateway.submit(message(for: job))
    }

    func message(for job: DeliveryJob) -> SMSMessage {
        let text = templates.text(MessageContext(job: job, reference: reference, links: options.links), maxSegments: options.maxSegments)
        let id = job.delivery.id
        let reportURL = receiptToken.map { token in
            options.links.smsReport(delivery: id, token: token.token(for: id), status: "%d", answer: "%A")
        }
        return SMSMessage(deliveryId: id, to: job.delivery.target, text: text, encoding: SMSText.encoding(of: text), reportURL: reportURL)
    }

    public func shutdown() async throws {
        try await gateway.shutdown()
    }
}

/// `sms.de.mustache` and `sms.en.mustache`: the whole text of one SMS.
public struct SMSTemplates: Sendable {
    private let templates: [Language: MustacheTemplate]

    public static func load(directory: String) throws(TemplateError) -> SMSTemplates {
        var templates: [Language: MustacheTemplate] = [:]
        for language in Language.allCases {
            let file = (directory as NSString).appendingPathComponent("sms.\(language.rawValue).mustache")
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw TemplateError(file: file, line: nil, message: "cannot read the template")
            }
            do {
                templates[language] = try MustacheTemplate(string: text)
            } catch {
                throw TemplateError(file: file, line: 1, message: "not valid Mustache: \(error)")
            }
        }
        return SMSTemplates(templates: templates)
    }

    /// The text as sent: cut to `maxSegments`, ending in "..." and the link, when too long.
    func text(_ context: MessageContext, maxSegments: Int) -> String {
        let text = render(context)
        guard SMSText.segments(of: text) > maxSegments else { return text }
        var withoutLink = context
        withoutLink.values["link"] = ""
        return SMSText.fit(render(withoutLink), maxSegments: maxSegments, link: context.values["link"] as? String ?? "")
    }

    func render(_ context: MessageContext) -> String {
        guard let template = templates[context.language] ?? templates[.de] else { return "" }
        return template.render(context.values)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
            .replacingOccurrences(of: "  ", with: " ").trimmingCharacters(in: .whitespaces)
    }
}
