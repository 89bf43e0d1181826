import Foundation
import SikoModel

/// How an event would read as an email and as an SMS, rendered by the same templates and rules the
/// channels send with (VS-NfD as a teaser, exercises marked, long SMS cut), for a bulletin's
/// preview. Loaded from `Channels/templates` whether or not email and SMS are configured.
public struct MessagePreviewer: Sendable {
    public struct Email: Sendable, Equatable {
        public var subject: String
        public var text: String
    }

    private let email: EmailTemplates
    private let sms: SMSTemplates
    private let reference: ReferenceData
    private let emailLinks: Links
    private let smsLinks: Links
    private let smsMaxSegments: Int

    /// The delivery id the preview's texts show where a real one would stand.
    public static let deliveryID = "dlv_vorschau"

    public init(
        templates directory: String, reference: ReferenceData, emailLinks: Links, smsLinks: Links, smsMaxSegments: Int
    ) throws(TemplateError) {
        email = try EmailTemplates.load(directory: directory)
        sms = try SMSTemplates.load(directory: directory)
        self.reference = reference
        self.emailLinks = emailLinks
        self.smsLinks = smsLinks
        self.smsMaxSegments = smsMaxSegments
    }

    public func email(_ event: Event, language: Language = .de) -> Email {
        let rendered = email.render(MessageContext(job: job(event, .email, language), reference: reference, links: emailLinks))
        return Email(subject: rendered.subject, text: rendered.text)
    }

    public func sms(_ event: Event, language: Language = .de) -> String {
        sms.text(MessageContext(job: job(event, .sms, language), reference: reference, links: smsLinks), maxSegments: smsMaxSegments)
    }

    private func job(_ event: Event, _ channel: ChannelKind, _ language: Language) -> DeliveryJob {
        let delivery = Delivery(
            id: Self.deliveryID, eventId: event.id, subscriptionId: "sub_vorschau", partner: event.publisher, channel: channel, target: "",
            status: .pending, nextAttemptAt: nil, createdAt: event.publishedAt, updatedAt: event.publishedAt
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: language)
    }
}
