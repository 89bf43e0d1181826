import Foundation
import SikoModel

/// What a template may show of an event, with names instead of slugs and times in Europe/Berlin.
/// For a teaser (every restricted, VS-NfD, event on email and SMS) it holds no title, body or data,
/// so no template can leak them. An exercise sets `exercise`, which every template shows as "ÜBUNG";
/// a test notification sets `test`, which every template shows as "TESTNACHRICHT" in place of the
/// usual layout; an update or cancellation sets `correction` ("AKTUALISIERUNG", "AUFHEBUNG"). A
/// subscriber gets the event's translation into its language, where there is one.
struct MessageContext {
    var language: Language
    var values: [String: Any]

    init(job: DeliveryJob, reference: ReferenceData, links: Links) {
        let language = job.language
        let event = job.event.localized(for: language)
        self.language = language
        let topic = reference.topic(event.topic)
        let publisher = reference.partner(event.publisher)
        let teaser = event.classification == .restricted || job.delivery.content == .teaser
        var values: [String: Any] = [
            "urgency": event.urgency.rawValue,
            "urgencyLabel": event.urgency.label(language: language),
            "topicName": (language == .en ? topic?.nameEn : nil) ?? topic?.name ?? event.topic,
            "areaNames": event.areas.map { reference.areas.area($0)?.name ?? $0 }.joined(separator: ", "),
            "publisherName": (language == .en ? publisher?.nameEn : nil) ?? publisher?.name ?? event.publisher,
            "publishedAt": Self.berlinTime(event.publishedAt, language: language),
            "link": links.event(event.id),
            "deliveryId": job.delivery.id,
            "restricted": teaser,
            "exercise": event.exercise,
            "test": event.test,
        ]
        if let mark = event.messageType.mark(language: language) {
            values["correction"] = mark
            values["correctionNote"] = Self.correctionNote(event, language: language)
        }
        if let expiresAt = event.expiresAt { values["expiresAt"] = Self.berlinTime(expiresAt, language: language) }
        if !teaser {
            values["title"] = event.title
            if let body = event.body, !body.isEmpty {
                values["body"] = body
                // Outlook ignores white-space: pre-wrap, so HTML gets one escaped line per <br>.
                values["bodyLines"] = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
        }
        self.values = values
    }

    /// What the correction does to the earlier message, in the reader's language.
    static func correctionNote(_ event: Event, language: Language) -> String {
        switch (event.messageType, language) {
        case (.cancel, .de): "die frühere Meldung ist aufgehoben"
        case (.cancel, .en): "the earlier report is cancelled"
        case (_, .de): "ersetzt die frühere Meldung"
        case (_, .en): "replaces the earlier report"
        }
    }

    static func berlinTime(_ date: Date, language: Language) -> String {
        GatewayCalendar.wallTime(date, language: language)
    }
}
