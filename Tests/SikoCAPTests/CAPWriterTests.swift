import Foundation
@testable import SikoCAP
import SikoModel
import SikoTestSupport
import Testing

/// Every document the writer makes is checked by libxml2's own validator against the OASIS XSD
/// (`xmllint --schema`, Debian's libxml2-utils), not by the gateway's reader.
@Suite("CAP out: alerts that validate against CAP-v1.2.xsd")
struct CAPWriterTests {
    let writer = CAPWriter(sender: "siko.example", links: Links(publicURL: "https://siko.example"))
    let published = Date(timeIntervalSince1970: 1_796_091_000.456)
    /// Ids as the gateway makes them: they carry the millisecond of publication.
    var first: String { Identifier.make("evt", at: published) }

    func event(_ id: String = "", areas: [String] = ["marl"], title: String = "Großkontrolle in Marl", body: String? = "Bereich meiden.",
               classification: Classification = .public, exercise: Bool = false, type: MessageType = .alert, references: [String] = [],
               translations: [EventTranslation] = []) -> Event {
        Event(
            id: id.isEmpty ? first : id, externalId: nil, publisher: "kreis-recklinghausen", topic: "razzia", urgency: .critical, areas: areas, title: title,
            body: body, classification: classification, publishedAt: published, expiresAt: published.addingTimeInterval(7200.7), data: nil,
            exercise: exercise, messageType: type, references: references, translations: translations
        )
    }

    static func xmllint(_ xml: String) throws -> String? { try XMLLint.check(xml, schema: XMLLint.capSchema) }

    @Test("xmllint is there: a test of a validator that is missing would prove nothing")
    func validatorPresent() throws {
        #expect(FileManager.default.isExecutableFile(atPath: XMLLint.path), "make test installs libxml2-utils")
        #expect(try Self.xmllint("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</identifier></alert>") != nil, "it refuses an invalid alert")
    }

    @Test("every kind of event writes an alert xmllint validates", arguments: [
        "plain", "exercise", "restricted", "update", "cancel", "translated", "region", "hostile", "purged",
    ])
    func validates(_ kind: String) throws {
        let written: Event = switch kind {
        case "exercise": event(exercise: true)
        case "restricted": event(classification: .restricted)
        case "update": event(Identifier.make("evt", at: published.addingTimeInterval(60)), type: .update, references: [first])
        case "cancel": event(Identifier.make("evt", at: published.addingTimeInterval(120)), body: nil, type: .cancel, references: [first, Identifier.make("evt", at: published.addingTimeInterval(60))])
        case "translated": event(translations: [EventTranslation(language: .en, title: "Raid in Marl", body: "Avoid the area.")])
        case "region": event(areas: ["ruhr", "kreis-unna", "rb-muenster"])
        case "hostile": event(title: "A & B <c> \"d\" \u{1}\u{7}", body: "]]> <!DOCTYPE x> &amp;")
        case "purged": event(title: "", body: nil)
        default: event()
        }
        let xml = writer.alert(written, reference: Repository.reference)
        #expect(try Self.xmllint(xml) == nil, "\(kind):\n\(xml)")
    }

    @Test("the fields: sender, times in Berlin without fractions, status, scope, references, AGS geocodes, the reverse urgency")
    func fields() throws {
        let original = first
        let cancelID = Identifier.make("evt", at: published.addingTimeInterval(120))
        let alert = try CAPReader.read(Array(writer.alert(
            event(cancelID, areas: ["kreis-unna", "marl"], classification: .restricted, exercise: true, type: .cancel, references: [original]),
            reference: Repository.reference
        ).utf8)).get()
        #expect(alert.sender == "siko.example" && alert.identifier == cancelID)
        #expect(CAPTime.format(alert.sent) == "2026-12-01T03:10:00+01:00")
        #expect(alert.status == "Exercise" && alert.msgType == "Cancel" && alert.scope == "Restricted")
        #expect(alert.restriction == CAPWriter.restriction)
        #expect(alert.references == [CAPAlert.Reference(sender: "siko.example", identifier: original, sent: "2026-12-01T03:10:00+01:00")])
        let info = try #require(alert.infos.first)
        #expect(info.description == nil, "VS-NfD: no description")
        #expect(info.areas.first?.geocodes.map(\.value) == ["05978000", "05562024"])
        #expect(CAPUrgency.urgency(urgency: info.urgency, severity: info.severity, certainty: info.certainty) == .critical)
        #expect(info.expires.map { CAPTime.format($0) } == "2026-12-01T05:10:01+01:00", "fractions cut, not rounded")
        #expect(info.web == "https://siko.example/meldungen/\(cancelID)")
        #expect(info.parameters.first { $0.name == "siko:topic" }?.value == "razzia")
    }

    @Test("an alert written and read back maps onto the same topic, areas, urgency and texts")
    func roundTrip() throws {
        let original = event(areas: ["ruhr"], translations: [EventTranslation(language: .en, title: "Raid", body: "Avoid.")])
        let read = try CAPReader.read(Array(writer.alert(original, reference: Repository.reference).utf8)).get()
        let message = try CAPMapper(reference: Repository.reference).map(read).get()
        let submission = try #require(message.submission)
        #expect(submission.topic == "razzia" && submission.areas == ["ruhr"] && submission.urgency == "critical")
        #expect(submission.title == original.title && submission.body == original.body)
        #expect(message.translations == original.translations)
    }

    @Test("the sender: SIKO_CAP_SENDER, else the public URL's host")
    func sender() {
        #expect(CAPWriter.sender(configured: "lage@siko-ruhr.de", publicURL: "https://x.example") == "lage@siko-ruhr.de")
        #expect(CAPWriter.sender(configured: nil, publicURL: "https://siko.essen.de:8443/") == "siko.essen.de")
        #expect(CAPWriter.sender(configured: "", publicURL: "https://siko.essen.de") == "siko.essen.de")
    }
}
