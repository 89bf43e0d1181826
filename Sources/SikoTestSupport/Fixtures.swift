import Foundation
import SikoConfig
import SikoModel

public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let rules = root.appendingPathComponent("Rules").path
    public static let channels = root.appendingPathComponent("Channels").path
    /// The CAP 1.2 samples and the OASIS schema, copied from `../shared/samples/cap` (SOURCES.md says whence).
    public static let capSamples = root.appendingPathComponent("Tests/Fixtures/cap")
    /// The shipped geography, topics and partners: tests run against the real reference data.
    public static let reference: ReferenceData = {
        do { return try RulesLoader(directory: rules).load().reference } catch { fatalError("Rules/ do not load: \(error)") }
    }()
}

extension Repository {
    /// The shipped reference data with contact addresses for some partners.
    public static func reference(contacts: [String: String]) -> ReferenceData {
        guard !contacts.isEmpty else { return reference }
        let partners = reference.partners.map { partner in
            var partner = partner
            partner.contact = contacts[partner.id] ?? partner.contact
            return partner
        }
        return ReferenceData(areas: reference.areas, topics: reference.topics, partners: partners)
    }
}

/// A folder that exists for one test.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "siko-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func write(_ name: String, _ text: String) throws -> String {
        let path = file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

public func subscription(
    id: String = Identifier.make("sub"), partner: String = "stadt-essen", areas: [String], topics: [String] = [],
    minUrgency: Urgency = .low, channel: ChannelKind = .webhook, target: String = "https://example.org/hook", enabled: Bool = true
) -> Subscription {
    Subscription(
        id: id, partner: partner, name: "test", areas: areas, topics: topics, minUrgency: minUrgency, channel: channel,
        target: target, language: .de, enabled: enabled, createdAt: Date(), updatedAt: Date()
    )
}

/// An instant written as UTC, so every expectation about Berlin wall-clock time is explicit.
public func utc(_ text: String) -> Date {
    guard let date = JSONCoding.parse(text) else { fatalError("not a timestamp: \(text)") }
    return date
}

public func event(
    id: String = Identifier.make("evt"), publisher: String = "stadt-essen", topic: String = "razzia", urgency: Urgency = .medium,
    areas: [String] = ["essen"], title: String = "Kontrolle Altendorfer Straße", classification: Classification = .public,
    at publishedAt: Date, expiresAt: Date? = nil, exercise: Bool = false
) -> Event {
    Event(
        id: id, externalId: nil, publisher: publisher, topic: topic, urgency: urgency, areas: areas, title: title,
        body: "Text", classification: classification, publishedAt: publishedAt, expiresAt: expiresAt, data: nil, exercise: exercise
    )
}
