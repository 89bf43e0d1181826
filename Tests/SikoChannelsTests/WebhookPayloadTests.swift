import SikoTestSupport
import Foundation
@testable import SikoChannels
import SikoModel
import Testing

@Suite("Webhook payload")
struct WebhookPayloadTests {
    let event = Event(
        id: "evt_01m886y64wwqqkv7afzhqk0gq4", externalId: "essen-2026-0042", publisher: "stadt-essen", topic: "razzia",
        urgency: .high, areas: ["essen"], title: "Großkontrolle \"Altendorfer\" Straße", body: nil, classification: .public,
        publishedAt: Date(timeIntervalSince1970: 1_795_572_045.98), expiresAt: nil, data: nil
    )

    @Test("the assembled body is valid JSON with every contract field, nulls and an empty data object")
    func shape() throws {
        let body = try WebhookPayload.body(deliveryId: "dlv_1", subscriptionId: "sub_1", eventJSON: try WebhookPayload.eventJSON(event))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(Set(object.keys) == ["type", "deliveryId", "subscriptionId", "event"])
        #expect(object["type"] as? String == "event.published")
        #expect(object["deliveryId"] as? String == "dlv_1")
        let inner = try #require(object["event"] as? [String: Any])
        #expect(Set(inner.keys) == ["id", "externalId", "publisher", "topic", "urgency", "areas", "title", "body", "classification", "publishedAt", "expiresAt", "data", "exercise", "test",
            "messageType", "references", "translations"])
        #expect(inner["exercise"] as? Bool == false && inner["test"] as? Bool == false)
        #expect(inner["messageType"] as? String == "alert" && (inner["references"] as? [Any])?.isEmpty == true)
        #expect(inner["title"] as? String == "Großkontrolle \"Altendorfer\" Straße")
        #expect(inner["body"] is NSNull && inner["expiresAt"] is NSNull)
        #expect((inner["data"] as? [String: Any])?.isEmpty == true)
        #expect(inner["publishedAt"] as? String == "2026-11-25T02:00:45.980Z")
    }

    @Test("ids are JSON-escaped, whatever they hold")
    func escaping() throws {
        let body = try WebhookPayload.body(deliveryId: "dlv_\"x\\", subscriptionId: "sub_1", eventJSON: try WebhookPayload.eventJSON(event))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["deliveryId"] as? String == "dlv_\"x\\")
    }

    /// What receivers got from JSONEncoder before the event was written by hand: the same bytes.
    static func encoded(_ event: Event) throws -> [UInt8] {
        var event = event
        event.data = event.data ?? .object([:])
        return Array(try JSONCoding.encoder().encode(event))
    }

    @Test("the event is written byte for byte as JSONEncoder wrote it: sorted keys, nulls, umlauts, escapes, data of any shape")
    func sameBytesAsTheEncoder() throws {
        var full = event
        full.externalId = nil
        full.body = "Zeile 1\nZeile 2\t\u{1F} \\ / ü ß € 🚓"
        full.expiresAt = Date(timeIntervalSince1970: 1_795_600_000)
        full.areas = ["essen", "muelheim-an-der-ruhr", "ruhr"]
        full.classification = .restricted
        full.exercise = true
        full.data = .object(["lage": .string("Gelände \"Nord\""), "kräfte": .integer(12), "anteil": .number(0.25), "liste": .array([.bool(true), .null])])
        var purged = event
        purged.purgedAt = Date(timeIntervalSince1970: 1_796_000_000.5)
        purged.test = true
        for sample in [event, full, purged] {
            let written = try WebhookPayload.eventJSON(sample)
            #expect(written == (try Self.encoded(sample)), "\(String(decoding: written, as: UTF8.self))")
        }
    }

    @Test("an id or a string with every control character is quoted as the encoder quotes it")
    func quotingLikeTheEncoder() throws {
        let nasty = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self) + "\"\\/äöü"
        #expect(JSONCoding.quoted(nasty) == Array(try JSONCoding.encoder().encode(nasty)))
    }
}
