import SikoTestSupport
import Foundation
import SikoModel
import Testing
@testable import SikoChannels

/// The shipped templates, rendered as the channels render them.
@Suite("Exercises and teasers in the shipped templates")
struct ExerciseTemplateTests {
    let templates = Repository.channels + "/templates"

    func job(exercise: Bool, classification: Classification = .public, content: DeliveryContent = .full, language: Language) -> DeliveryJob {
        let now = utc("2026-11-25T19:00:00Z")
        let event = Event(
            id: "evt_1", externalId: nil, publisher: "stadt-essen", topic: "razzia", urgency: .high, areas: ["essen"],
            title: "Großkontrolle Altendorfer Straße", body: "Gemeinsame Kontrolle ab 20 Uhr.", classification: classification,
            publishedAt: now, expiresAt: nil, data: nil, exercise: exercise
        )
        let delivery = Delivery(
            id: "dlv_1", eventId: "evt_1", subscriptionId: "sub_1", partner: "stadt-essen", channel: .email, target: "a@b.example",
            status: .sending, nextAttemptAt: now, content: content, createdAt: now, updatedAt: now
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: language)
    }

    func context(_ job: DeliveryJob) -> MessageContext {
        MessageContext(job: job, reference: Repository.reference, links: Links(publicURL: "https://siko.example"))
    }

    @Test("an exercise says ÜBUNG in the email subject, text and HTML, in German and English", arguments: Language.allCases)
    func emailExercise(language: Language) throws {
        let email = try EmailTemplates.load(directory: templates)
        let drill = email.render(context(job(exercise: true, language: language)))
        #expect(drill.subject.hasPrefix("ÜBUNG"))
        #expect(drill.text.hasPrefix("*** ÜBUNG"))
        #expect(drill.html.contains(">ÜBUNG"))
        let real = email.render(context(job(exercise: false, language: language)))
        for part in [real.subject, real.text, real.html] { #expect(!part.contains("ÜBUNG")) }
    }

    @Test("an exercise SMS starts with ÜBUNG, in German and English", arguments: Language.allCases)
    func smsExercise(language: Language) throws {
        let sms = try SMSTemplates.load(directory: templates)
        #expect(sms.render(context(job(exercise: true, language: language))).hasPrefix("ÜBUNG"))
        #expect(!sms.render(context(job(exercise: false, language: language))).contains("ÜBUNG"))
    }

    @Test("a teaser never shows title or body, whatever the classification says")
    func teaser() throws {
        let email = try EmailTemplates.load(directory: templates)
        let sms = try SMSTemplates.load(directory: templates)
        for job in [job(exercise: false, classification: .restricted, language: .de), job(exercise: false, content: .teaser, language: .de)] {
            let mail = email.render(context(job))
            let text = sms.render(context(job))
            for part in [mail.subject, mail.text, mail.html, text] {
                #expect(!part.contains("Großkontrolle") && !part.contains("Gemeinsame Kontrolle"))
            }
            #expect(mail.subject.contains("VS-NfD"))
        }
    }
}
