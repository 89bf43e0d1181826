import Foundation

/// A bulletin of the Geschäftsstelle: written and edited by its people, approved by another person
/// (four eyes), and only then published as an event. Every edit keeps the earlier versions, and
/// the history says who did what to which version.
public struct Bulletin: Sendable, Codable, Equatable {
    public var id: String
    public var status: BulletinStatus
    /// Oldest first; the last is the current one. Never empty.
    public var versions: [BulletinVersion]
    /// Oldest first.
    public var history: [BulletinHistoryEntry]
    /// The event it was published as, once approved.
    public var eventId: String?
    /// What it corrects (Berichtigen) or cancels (Aufheben), if it is not a bulletin of its own.
    public var corrects: BulletinCorrection?

    public init(
        id: String, status: BulletinStatus, versions: [BulletinVersion], history: [BulletinHistoryEntry], eventId: String? = nil,
        corrects: BulletinCorrection? = nil
    ) {
        self.corrects = corrects
        self.id = id
        self.status = status
        self.versions = versions
        self.history = history
        self.eventId = eventId
    }

    public var current: BulletinVersion { versions[versions.count - 1] }
    /// The current version's number (1, 2, …).
    public var version: Int { current.number }
    public var author: BulletinPerson { versions[0].editor }
    /// Everyone who made a later version, without the author, each once, in order.
    public var editors: [BulletinPerson] {
        var seen: Set<String> = [author.userID]
        return versions.dropFirst().map(\.editor).filter { seen.insert($0.userID).inserted }
    }
    /// The author and every editor: the people who may not approve it.
    public var writers: [BulletinPerson] { [author] + editors }
    public var createdAt: Date { history.first?.at ?? current.at }
    public var updatedAt: Date { history.last?.at ?? current.at }
    /// Grows by one with every change; the store replaces a bulletin only at the revision it was read at.
    public var revision: Int { history.count }

    /// What the event this version becomes is known by among the Geschäftsstelle's events: the
    /// idempotency key, so a repeated approval finds the event instead of publishing again.
    public static func eventKey(id: String, version: Int) -> String { "bulletin:\(id):v\(version)" }
}

/// A bulletin that, once approved (four eyes again), updates or cancels a published one: its
/// event's recipients hear of it, as `POST /v1/events/{id}/update` and `/cancel` do.
public struct BulletinCorrection: Sendable, Codable, Equatable {
    /// `.update` (Berichtigung) or `.cancel` (Aufhebung).
    public var kind: MessageType
    public var bulletin: String
    public var event: String

    public init(kind: MessageType, bulletin: String, event: String) {
        self.kind = kind
        self.bulletin = bulletin
        self.event = event
    }
}

public enum BulletinStatus: String, Sendable, Codable, CaseIterable {
    case draft, submitted, published, rejected, withdrawn

    /// What the console shows.
    public var label: String {
        switch self {
        case .draft: "Entwurf"
        case .submitted: "zur Freigabe eingereicht"
        case .published: "veröffentlicht"
        case .rejected: "abgelehnt"
        case .withdrawn: "zurückgezogen"
        }
    }
}

/// Who acted, as named in a bulletin's versions and history: the user's id decides four eyes.
public struct BulletinPerson: Sendable, Codable, Hashable {
    public var userID: String
    public var login: String
    public var name: String

    public init(userID: String, login: String, name: String) {
        self.userID = userID
        self.login = login
        self.name = name
    }

    public init(_ person: Person) {
        self.init(userID: person.userID, login: person.login, name: person.name)
    }
}

/// One version's full content, as an event would be submitted.
public struct BulletinVersion: Sendable, Codable, Equatable {
    public var number: Int
    public var content: EventSubmission
    public var editor: BulletinPerson
    public var at: Date

    public init(number: Int, content: EventSubmission, editor: BulletinPerson, at: Date) {
        self.number = number
        self.content = content
        self.editor = editor
        self.at = at
    }
}

/// What was done to a bulletin. Stored by raw value: add, never rename.
public enum BulletinAction: String, Sendable, Codable, CaseIterable {
    case created, edited, submitted, approved, rejected, withdrawn

    public var label: String {
        switch self {
        case .created: "erstellt"
        case .edited: "bearbeitet"
        case .submitted: "zur Freigabe eingereicht"
        case .approved: "freigegeben und veröffentlicht"
        case .rejected: "abgelehnt"
        case .withdrawn: "zurückgezogen"
        }
    }
}

public struct BulletinHistoryEntry: Sendable, Codable, Equatable {
    public var action: BulletinAction
    public var by: BulletinPerson
    public var at: Date
    /// The version acted on (for `edited`, the version the edit made).
    public var version: Int
    /// Why it was rejected.
    public var reason: String?
    /// The event an approval published.
    public var eventId: String?

    public init(action: BulletinAction, by: BulletinPerson, at: Date, version: Int, reason: String? = nil, eventId: String? = nil) {
        self.action = action
        self.by = by
        self.at = at
        self.version = version
        self.reason = reason
        self.eventId = eventId
    }
}
