import Foundation
import SikoModel
import SikoTestSupport
import Testing

/// Every field error says what is wrong in English (the API's `message`) and in German (what the
/// console shows beside the field).
@Suite("Validation texts in German and English")
struct ValidationTextTests {
    let now = utc("2026-11-24T20:00:00Z")

    func eventErrors(_ submission: EventSubmission) -> [FieldError] {
        guard case .failure(let failure) = EventValidator(reference: Repository.reference)
            .validate(submission, publisher: "stadt-essen", id: "evt_1", now: now) else { return [] }
        return failure.errors
    }

    func subscriptionErrors(_ submission: SubscriptionSubmission, channels: Set<ChannelKind> = Set(ChannelKind.allCases)) -> [FieldError] {
        let validator = SubscriptionValidator(reference: Repository.reference, targets: TargetRules(outbound: OutboundPolicy()), channels: channels)
        guard case .failure(let failure) = validator.create(submission, partner: "stadt-essen", id: "sub_1", now: now) else { return [] }
        return failure.errors
    }

    func byField(_ errors: [FieldError]) -> [String: FieldError] {
        Dictionary(errors.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("an empty event: the required fields in both languages")
    func eventRequired() throws {
        let errors = byField(eventErrors(EventSubmission()))
        let topic = try #require(errors["topic"])
        #expect(topic.message == "is required" && topic.messageDe == "ist erforderlich")
        #expect(topic.message(in: .de) == "ist erforderlich" && topic.message(in: .en) == "is required")
        #expect(errors["areas"]?.message(in: .de) == "mindestens ein Gebiet ist erforderlich")
        #expect(errors["areas"]?.message(in: .en) == "at least one area is required")
        #expect(errors["urgency"]?.messageDe == "ist erforderlich")
        #expect(errors["title"]?.messageDe == "ist erforderlich")
    }

    @Test("an event with wrong values: each named in German with its umlauts, the English unchanged")
    func eventWrongValues() {
        let errors = byField(eventErrors(EventSubmission(
            externalId: "", topic: "razia", urgency: "dringend", areas: ["essen", "essn"], title: String(repeating: "T", count: 201),
            classification: "geheim", expiresAt: now.addingTimeInterval(-60)
        )))
        #expect(errors["urgency"]?.messageDe == "muss eine von low, medium, high, critical sein")
        #expect(errors["urgency"]?.message == "must be one of low, medium, high, critical")
        #expect(errors["areas[1]"]?.messageDe == "unbekanntes Gebiet 'essn' (eine Gebiets-ID oder ein AGS, siehe GET /v1/areas)")
        #expect(errors["areas[1]"]?.message == "unknown area 'essn' (an area id or AGS, see GET /v1/areas)")
        #expect(errors["topic"]?.messageDe == "unbekanntes Thema 'razia' (siehe GET /v1/topics)")
        #expect(errors["externalId"]?.messageDe == "muss 1 bis 128 Zeichen lang sein")
        #expect(errors["title"]?.messageDe == "höchstens 200 Zeichen und 800 Bytes UTF-8 (hier 201 Zeichen, 201 Bytes)")
        #expect(errors["classification"]?.messageDe == "muss public oder restricted sein")
        #expect(errors["expiresAt"]?.messageDe == "liegt in der Vergangenheit")
    }

    @Test("a subscription: required fields, unknown areas and topics, a target that does not fit its channel")
    func subscription() {
        let empty = byField(subscriptionErrors(SubscriptionSubmission()))
        #expect(empty["name"]?.messageDe == "ist erforderlich")
        #expect(empty["areas"]?.messageDe == "mindestens ein Gebiet ist erforderlich")

        let wrong = byField(subscriptionErrors(SubscriptionSubmission(
            name: "Lagedienst", areas: ["muelheim"], topics: ["razzia", "gelwaesche"], minUrgency: "hoch", channel: "sms",
            target: "0201 123456", language: "fr"
        )))
        #expect(wrong["areas[0]"]?.messageDe == "unbekanntes Gebiet 'muelheim' (siehe GET /v1/areas)")
        #expect(wrong["topics[1]"]?.messageDe == "unbekanntes Thema 'gelwaesche' (siehe GET /v1/topics)")
        #expect(wrong["minUrgency"]?.messageDe == "muss eine von low, medium, high, critical sein")
        #expect(wrong["language"]?.messageDe == "muss de oder en sein")
        #expect(wrong["target"]?.messageDe == "keine Rufnummer im Format E.164 wie +4920112345678")
        #expect(wrong["target"]?.message == "not an E.164 number such as +4920112345678")

        let unconfigured = byField(subscriptionErrors(
            SubscriptionSubmission(name: "x", areas: ["essen"], channel: "email", target: "a@b.de"), channels: [.webhook]
        ))
        #expect(unconfigured["channel"]?.message == "channel not configured: email")
        #expect(unconfigured["channel"]?.messageDe == "Kanal nicht eingerichtet: email")
    }

    @Test("a payload format: an unknown one, CAP for email or SMS, and a channel change away from a CAP webhook are refused on format")
    func payloadFormat() throws {
        let unknown = byField(subscriptionErrors(SubscriptionSubmission(
            name: "n", areas: ["essen"], channel: "webhook", target: "https://lage.example/hook", format: "xml"
        )))
        #expect(unknown["format"]?.message == "must be json or cap" && unknown["format"]?.messageDe == "muss json oder cap sein")
        for (channel, target) in [("email", "lage@polizei.nrw.de"), ("sms", "+4917012345678")] {
            let read = byField(subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: channel, target: target, format: "cap")))
            #expect(read["format"]?.message == "only a webhook receives CAP; email and SMS are read by people", "\(channel)")
            #expect(read["format"]?.messageDe == "nur ein Webhook empfängt CAP; E-Mail und SMS lesen Menschen", "\(channel)")
            #expect(subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: channel, target: target, format: "json")).isEmpty)
        }

        let validator = SubscriptionValidator(reference: Repository.reference, targets: TargetRules(outbound: OutboundPolicy()), channels: Set(ChannelKind.allCases))
        let hook = try validator.create(
            SubscriptionSubmission(name: "n", areas: ["essen"], channel: "webhook", target: "https://lage.example/hook", format: "cap"),
            partner: "stadt-essen", id: "sub_1", now: now
        ).get()
        #expect(hook.format == .cap)
        #expect(try validator.update(hook, with: SubscriptionSubmission(name: "renamed"), now: now).get().format == .cap, "left out, it keeps its value")
        guard case .failure(let moved) = validator.update(hook, with: SubscriptionSubmission(channel: "email", target: "lage@polizei.nrw.de"), now: now) else {
            Issue.record("a CAP webhook became an email subscription")
            return
        }
        #expect(moved.errors.map(\.field) == ["format"])
        let back = try validator.update(hook, with: SubscriptionSubmission(channel: "email", target: "lage@polizei.nrw.de", format: "json"), now: now).get()
        #expect(back.channel == .email && back.format == .json, "moving and asking for JSON in one change is fine")
    }

    /// As many different failures as the validators and limits make, each once.
    func sample() -> [FieldError] {
        var errors = eventErrors(EventSubmission())
        errors += eventErrors(EventSubmission(
            externalId: String(repeating: "x", count: 129), topic: "razia", urgency: "dringend",
            areas: Array(repeating: "essen", count: 51), title: "e" + String(repeating: "\u{301}", count: 31),
            body: String(repeating: "b", count: 20_001), classification: "geheim", expiresAt: now.addingTimeInterval(-1),
            data: (0..<17).reduce(JSONValue.integer(1)) { inner, _ in .array([inner]) }
        ))
        errors += eventErrors(EventSubmission(externalId: "", topic: "razzia", urgency: "high", areas: ["essn"], title: "T"))
        errors += subscriptionErrors(SubscriptionSubmission())
        errors += subscriptionErrors(SubscriptionSubmission(
            name: "", areas: Array(repeating: "x", count: 101), topics: Array(repeating: "y", count: 51), minUrgency: "x",
            channel: "fax", language: "fr"
        ))
        errors += subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: "email", target: "x"), channels: [.webhook])
        for target in [
            "nicht eine url", "https://user:pw@example.org/", "https://example.org/#x", "https://10.0.0.1/", "http://example.org/",
            "ftp://example.org/", "https://example.org/" + String(repeating: "a", count: 2048),
        ] {
            errors += subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: "webhook", target: target))
        }
        errors += subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: "email", target: "kein-at"))
        errors += subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: "webhook", target: "https://a.example/", format: "xml"))
        errors += subscriptionErrors(SubscriptionSubmission(name: "n", areas: ["essen"], channel: "sms", target: "+4917012345678", format: "cap"))
        if let limit = DeliveryQuery(limit: 0).pageLimitError { errors.append(limit) } else { Issue.record("limit 0 passed") }
        return errors
    }

    @Test("no German text is empty or the English one by accident, over a sample of failures")
    func everyFailureHasGerman() {
        let errors = sample()
        #expect(errors.count >= 30, "the sample covers many failures: \(errors.count)")
        for error in errors {
            #expect(!error.messageDe.trimmingCharacters(in: .whitespaces).isEmpty, "\(error.field): German is empty")
            #expect(error.messageDe != error.message, "\(error.field): '\(error.message)' has no German")
            #expect(error.message(in: .en) == error.message && error.message(in: .de) == error.messageDe)
            for english in ["must ", "is required", "unknown ", "at most", "not an ", " see "] {
                #expect(!error.messageDe.contains(english), "\(error.field): '\(error.messageDe)' reads English")
            }
        }
        let distinct = Set(errors.map(\.text))
        #expect(distinct.count >= 20, "distinct texts: \(distinct.count)")
    }

    @Test("the API's JSON keeps field and message and adds messageDe")
    func json() throws {
        let data = try JSONEncoder().encode(FieldError("areas", .areaRequired))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object == ["field": "areas", "message": "at least one area is required", "messageDe": "mindestens ein Gebiet ist erforderlich"])
        #expect(try JSONDecoder().decode(FieldError.self, from: data) == FieldError("areas", "at least one area is required", de: "mindestens ein Gebiet ist erforderlich"))
    }
}
