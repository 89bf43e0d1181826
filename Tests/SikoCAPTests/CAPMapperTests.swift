import Foundation
@testable import SikoCAP
import SikoModel
import SikoTestSupport
import Testing

@Suite("CAP mapping: status, scope, urgency, topic, geocodes, shapes, languages and texts")
struct CAPMapperTests {
    let mapper = CAPMapper(reference: Repository.reference)

    func map(_ text: String) -> Result<CAPMessage, ValidationFailure> {
        guard case .success(let alert) = CAPReader.read(Array(text.utf8)) else { return .failure(ValidationFailure(errors: [FieldError("read", "unreadable", de: "")])) }
        return mapper.map(alert)
    }

    func message(_ text: String) throws -> CAPMessage {
        try map(text).get()
    }

    func errors(_ text: String) -> [FieldError] {
        guard case .failure(let failure) = map(text) else { return [] }
        return failure.errors
    }

    func areas(_ xml: String) throws -> [String] {
        try message(CAPSamples.alert(infos: [CAPSamples.info(areas: xml)])).submission?.areas ?? []
    }

    @Test("identifier and sender make the idempotency key; the texts and CAP's fields land in title, body and data")
    func texts() throws {
        let message = try message(CAPSamples.alert())
        #expect(message.idempotencyKey == "cap:leitstelle@kreis-re.de,KR-RE-2026-0042")
        #expect(message.messageType == .alert)
        let submission = try #require(message.submission)
        #expect(submission.title == "Großkontrolle in Marl")
        #expect(submission.body == "Kontrolle von Shisha-Bars im Stadtgebiet.\n\nBereich meiden.")
        #expect(submission.topic == "razzia")
        #expect(submission.areas == ["marl"])
        #expect(submission.classification == "public")
        #expect(submission.exercise == false)
        guard case .object(let data)? = submission.data, case .object(let cap)? = data["cap"] else { Issue.record("no data.cap"); return }
        #expect(cap["web"] == .string("https://www.kreis-re.de/lage"))
        #expect(cap["contact"] == .string("Leitstelle Kreis Recklinghausen"))
        #expect(cap["instruction"] == .string("Bereich meiden."))
        #expect(cap["sent"] == .string("2026-12-01T03:10:00+01:00"))
    }

    @Test("without a headline the event names the title")
    func noHeadline() throws {
        let alert = CAPSamples.alert().replacingOccurrences(of: "<headline>Großkontrolle in Marl</headline>", with: "")
        #expect(try message(alert).submission?.title == "Razzia")
    }

    @Test("status: Exercise is an exercise, Test and System are silent, Draft is refused")
    func status() throws {
        #expect(try message(CAPSamples.alert(status: "Exercise")).submission?.exercise == true)
        #expect(try message(CAPSamples.alert(status: "Test")).silence == "status Test: stored, sent to nobody")
        #expect(try message(CAPSamples.alert(status: "System")).silence == "status System: stored, sent to nobody")
        #expect(try message(CAPSamples.alert()).silence == nil)
        #expect(errors(CAPSamples.alert(status: "Draft")).map(\.field) == ["alert.status"])
    }

    @Test("scope: Restricted is VS-NfD, Private is refused")
    func scope() throws {
        #expect(try message(CAPSamples.alert(scope: "Restricted", extraHeader: "<restriction>VS-NfD</restriction>")).submission?.classification == "restricted")
        #expect(errors(CAPSamples.alert(scope: "Private", extraHeader: "<addresses>a b</addresses>")).map(\.field) == ["alert.scope"])
    }

    @Test("urgency × severity follows the README's table; Unlikely lowers one step; the highest info block counts")
    func urgency() throws {
        #expect(CAPUrgency.urgency(urgency: "Immediate", severity: "Extreme", certainty: "Observed") == .critical)
        #expect(CAPUrgency.urgency(urgency: "Immediate", severity: "Severe", certainty: "Likely") == .critical)
        #expect(CAPUrgency.urgency(urgency: "Immediate", severity: "Moderate", certainty: "Likely") == .high)
        #expect(CAPUrgency.urgency(urgency: "Expected", severity: "Moderate", certainty: "Likely") == .medium)
        #expect(CAPUrgency.urgency(urgency: "Past", severity: "Extreme", certainty: "Observed") == .low)
        #expect(CAPUrgency.urgency(urgency: "Immediate", severity: "Extreme", certainty: "Unlikely") == .high)
        for urgency in Urgency.allCases {
            let triple = CAPUrgency.triple(for: urgency)
            #expect(CAPUrgency.urgency(urgency: triple.urgency, severity: triple.severity, certainty: triple.certainty) == urgency)
        }
        let two = CAPSamples.alert(infos: [
            CAPSamples.info(urgency: "Future", severity: "Minor"),
            CAPSamples.info(language: "en-GB", urgency: "Immediate", severity: "Extreme", headline: "Raid in Marl"),
        ])
        #expect(try message(two).submission?.urgency == "critical")
    }

    @Test("topic: siko:topic first, then an event rule, then a category rule from Rules/topics.yaml, else the event is named")
    func topic() throws {
        let parameter = CAPSamples.info(parameters: CAPSamples.parameter("siko:topic", "geldwaesche"))
        #expect(try message(CAPSamples.alert(infos: [parameter])).submission?.topic == "geldwaesche")
        #expect(try message(CAPSamples.alert(infos: [CAPSamples.info(event: "GELDWÄSCHE")])).submission?.topic == "geldwaesche")
        #expect(try message(CAPSamples.alert(infos: [CAPSamples.info(category: "Security", event: "Sonstiges")])).submission?.topic == "lagebild")
        let unknown = errors(CAPSamples.alert(infos: [CAPSamples.info(category: "Met", event: "STARKREGEN")]))
        #expect(unknown.map(\.field) == ["alert.info[0].event"])
        #expect(unknown.first?.messageDe.contains("siko:topic") == true)
        let wrong = errors(CAPSamples.alert(infos: [CAPSamples.info(parameters: CAPSamples.parameter("siko:topic", "wetter"))]))
        #expect(wrong.map(\.field) == ["alert.info[0].parameter[0].value"])
    }

    @Test("AGS: a Gemeinde, a kreisfreie Stadt, a Kreis by its 000, a Regierungsbezirk")
    func ags() throws {
        #expect(try areas(CAPSamples.geocode("AGS", "05562024")) == ["marl"])
        #expect(try areas(CAPSamples.geocode("AGS", "05113000")) == ["essen"])
        #expect(try areas(CAPSamples.geocode("AGS", "05562000")) == ["kreis-recklinghausen"])
        #expect(try areas(CAPSamples.geocode("AGS", "05500000")) == ["rb-muenster"])
    }

    @Test("ARS: Marl's 12 digits, a Kreis and the Land by trailing zeros")
    func ars() throws {
        #expect(try areas(CAPSamples.geocode("ARS", "055620024024")) == ["marl"])
        #expect(try areas(CAPSamples.geocode("ARS", "055620000000")) == ["kreis-recklinghausen"])
        #expect(try areas(CAPSamples.geocode("ARS", "059110000000")) == ["bochum"])
        #expect(try areas(CAPSamples.geocode("ARS", "050000000000")) == ["ruhr"])
    }

    @Test("WARNCELLID: a municipality cell (8 + AGS) and a district cell (1 + Kreis + 000)")
    func warncell() throws {
        #expect(try areas(CAPSamples.geocode("WARNCELLID", "805562024")) == ["marl"])
        #expect(try areas(CAPSamples.geocode("WARNCELLID", "105978000")) == ["kreis-unna"])
        #expect(try areas(CAPSamples.geocode("WARNCELLID", "105913000")) == ["dortmund"])
    }

    @Test("geocodes outside the geography are ignored beside ones inside; with none inside, 422 names them")
    func outside() throws {
        let mixed = CAPSamples.geocode("WARNCELLID", "803255506") + CAPSamples.geocode("SAME", "006037") + CAPSamples.geocode("AGS", "05913000")
        #expect(try areas(mixed) == ["dortmund"])
        let none = errors(CAPSamples.alert(infos: [CAPSamples.info(areas: CAPSamples.geocode("WARNCELLID", "803255506") + CAPSamples.geocode("SAME", "006037"))]))
        #expect(none.map(\.field) == ["alert.info[0].area"])
        #expect(none.first?.message == "no area lies in the geography of Rules/areas.yaml: WARNCELLID 803255506, SAME 006037")
    }

    @Test("the areas of every info block together; a Kreis whose towns are all named stands for them")
    func union() throws {
        let towns = ["05978004", "05978008", "05978012", "05978016", "05978020", "05978024", "05978028", "05978032", "05978036", "05978040"]
        let first = CAPSamples.info(areas: towns.prefix(5).map { CAPSamples.geocode("AGS", $0) }.joined())
        let second = CAPSamples.info(language: "en-GB", headline: "Raid", areas: towns.dropFirst(5).map { CAPSamples.geocode("AGS", $0) }.joined() + CAPSamples.geocode("AGS", "05562024"))
        #expect(try message(CAPSamples.alert(infos: [first, second])).submission?.areas == ["kreis-unna", "marl"])
    }

    @Test("a polygon or circle covers the areas whose town hall lies inside; one covering nothing is named")
    func shapes() throws {
        let essenAndBottrop = "<area><areaDesc>Essen-Nord</areaDesc><polygon>51.40,6.90 51.40,7.05 51.55,7.05 51.55,6.90 51.40,6.90</polygon></area>"
        #expect(try areas(essenAndBottrop) == ["essen", "bottrop"])
        #expect(try areas("<area><areaDesc>Rathaus Marl</areaDesc><circle>51.6560,7.0900 2</circle></area>") == ["marl"])
        let california = errors(CAPSamples.alert(infos: [CAPSamples.info(areas: "<area><areaDesc>Brawley</areaDesc><circle>32.9525,-115.5527 0</circle></area>")]))
        #expect(california.first?.message == "no area lies in the geography of Rules/areas.yaml: circle 32.9525,-115.5527 0")
    }

    @Test("languages: German for German and fallback, English as translation; without German the first block")
    func languages() throws {
        let english = CAPSamples.info(language: "en-GB", headline: "Raid in Marl", description: "Inspection of bars.", instruction: nil)
        let german = CAPSamples.info()
        let message = try message(CAPSamples.alert(infos: [english, german]))
        #expect(message.submission?.title == "Großkontrolle in Marl")
        #expect(message.translations == [EventTranslation(language: .en, title: "Raid in Marl", body: "Inspection of bars.")])
        let noGerman = try self.message(CAPSamples.alert(infos: [CAPSamples.info(language: "fr-FR", headline: "Contrôle"), english]))
        #expect(noGerman.submission?.title == "Contrôle")
        #expect(noGerman.translations.map(\.title) == ["Raid in Marl"])
    }

    @Test("the English block is bounded like the event's own title: one too long is named")
    func translationLimits() throws {
        let long = CAPSamples.info(language: "en-GB", headline: String(repeating: "x", count: 201))
        let found = errors(CAPSamples.alert(infos: [CAPSamples.info(), long]))
        #expect(found.map(\.field) == ["alert.info[1].headline"])
    }

    @Test("Update and Cancel name their references; a Cancel may leave out the info block")
    func corrections() throws {
        let references = "<references>leitstelle@kreis-re.de,KR-RE-2026-0041,2026-12-01T02:00:00+01:00</references>"
        let update = try message(CAPSamples.alert(msgType: "Update", extraHeader: references))
        #expect(update.messageType == .update)
        #expect(update.references == [CAPAlert.Reference(sender: "leitstelle@kreis-re.de", identifier: "KR-RE-2026-0041", sent: "2026-12-01T02:00:00+01:00")])
        let cancel = try message(CAPSamples.alert(msgType: "Cancel", extraHeader: references, infos: []))
        #expect(cancel.messageType == .cancel)
        #expect(cancel.submission == nil)
        #expect(errors(CAPSamples.alert(msgType: "Update")).map(\.field) == ["alert.references"])
        #expect(errors(CAPSamples.alert(infos: [])).map(\.field) == ["alert.info"])
    }

    @Test("the event's own checks are renamed to CAP's elements")
    func renamed() throws {
        let message = try message(CAPSamples.alert())
        let renamed = message.renamed(ValidationFailure(errors: [FieldError("expiresAt", .inThePast), FieldError("areas[0]", .required)]))
        #expect(renamed.errors.map(\.field) == ["alert.info[0].expires", "alert.info[0].area[0]"])
    }

    @Test("every shipped sample is refused, naming the element: none lies in the Ruhr")
    func samples() throws {
        for name in try CAPSamples.names() {
            guard case .success(let alert) = CAPReader.read(try CAPSamples.bytes(name)) else { Issue.record("\(name) unreadable"); continue }
            guard case .failure(let failure) = mapper.map(alert) else { Issue.record("\(name) accepted"); continue }
            #expect(failure.errors.contains { $0.field.hasSuffix(".area") && $0.message.hasPrefix("no area lies in the geography") }, Comment(rawValue: "\(name): \(failure.errors)"))
        }
    }
}
