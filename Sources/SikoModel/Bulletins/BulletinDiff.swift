import Foundation

/// What changed in a bulletin's current version since the version last submitted before it, field
/// by field, so an approver of a resubmission sees what is new rather than rereading everything.
public struct BulletinDiff: Sendable, Equatable, Codable {
    public struct Change: Sendable, Equatable, Codable {
        /// The field as the API names it (`title`, `areas`, …).
        public var field: String
        /// The field as the console labels it (Titel, Gebiete, …).
        public var label: String
        /// As text; nil when the field was empty.
        public var before: String?
        public var after: String?

        public init(field: String, label: String, before: String?, after: String?) {
            self.field = field
            self.label = label
            self.before = before
            self.after = after
        }
    }

    /// The version compared with; nil when the current version is the first one submitted.
    public var from: Int?
    public var to: Int
    /// Empty when nothing changed, or when there is nothing to compare with.
    public var changes: [Change]

    public init(from: Int?, to: Int, changes: [Change]) {
        self.from = from
        self.to = to
        self.changes = changes
    }

    /// The current version against the last version submitted before it.
    public static func sinceSubmission(_ bulletin: Bulletin) -> BulletinDiff {
        let current = bulletin.current
        let earlier = bulletin.history.last { $0.action == .submitted && $0.version < current.number }?.version
        guard let earlier, let old = bulletin.versions.first(where: { $0.number == earlier }) else {
            return BulletinDiff(from: nil, to: current.number, changes: [])
        }
        return BulletinDiff(from: earlier, to: current.number, changes: changes(from: old.content, to: current.content))
    }

    public static func changes(from old: EventSubmission, to new: EventSubmission) -> [Change] {
        fields.compactMap { field in
            let before = field.text(old), after = field.text(new)
            return before == after ? nil : Change(field: field.name, label: field.label, before: before, after: after)
        }
    }

    private struct Field: Sendable {
        var name: String
        var label: String
        var text: @Sendable (EventSubmission) -> String?
    }

    /// In the order the bulletin form shows them; absent values read as their defaults, so leaving
    /// out `classification` is no change from `public`.
    private static let fields: [Field] = [
        Field(name: "title", label: "Titel") { $0.title },
        Field(name: "body", label: "Text") { $0.body.flatMap { $0.isEmpty ? nil : $0 } },
        Field(name: "topic", label: "Thema") { $0.topic },
        Field(name: "urgency", label: "Dringlichkeit") { $0.urgency },
        Field(name: "areas", label: "Gebiete") { $0.areas.flatMap { $0.isEmpty ? nil : $0.joined(separator: ", ") } },
        Field(name: "classification", label: "Einstufung") { $0.classification ?? Classification.public.rawValue },
        Field(name: "expiresAt", label: "Gültig bis") { $0.expiresAt.map(JSONCoding.format) },
        Field(name: "exercise", label: "Übung") { ($0.exercise ?? false) ? "ja" : "nein" },
        Field(name: "data", label: "Daten") { submission in
            submission.data.flatMap { try? String(decoding: JSONCoding.encoder().encode($0), as: UTF8.self) }
        },
    ]
}
