import Foundation
import SikoModel

/// A bulletin as the API shows it: its state, the current content, who wrote and edited it, and
/// (whole) every version and the history.
struct BulletinView: Encodable {
    struct PersonView: Encodable {
        var userId: String
        var login: String
        var name: String

        init(_ person: BulletinPerson) {
            userId = person.userID
            login = person.login
            name = person.name
        }
    }

    struct VersionView: Encodable {
        var version: Int
        var editor: PersonView
        var at: Date
        var content: EventSubmission
    }

    struct HistoryView: Encodable {
        var action: BulletinAction
        var by: PersonView
        var at: Date
        var version: Int
        var reason: String?
        var eventId: String?
    }

    var id: String
    var status: BulletinStatus
    var version: Int
    /// Null until approved.
    var eventId: String?
    var author: PersonView
    var editors: [PersonView]
    var createdAt: Date
    var updatedAt: Date
    /// The current version's content, as an event body.
    var content: EventSubmission
    /// What it updates or cancels once approved; null for a bulletin of its own.
    var corrects: BulletinCorrection?
    /// Only on a single bulletin, not in lists.
    var versions: [VersionView]?
    var history: [HistoryView]?

    init(_ bulletin: Bulletin, whole: Bool = true) {
        id = bulletin.id
        status = bulletin.status
        version = bulletin.version
        eventId = bulletin.eventId
        author = PersonView(bulletin.author)
        editors = bulletin.editors.map(PersonView.init)
        createdAt = bulletin.createdAt
        updatedAt = bulletin.updatedAt
        content = bulletin.current.content
        corrects = bulletin.corrects
        guard whole else { return }
        versions = bulletin.versions.map { VersionView(version: $0.number, editor: PersonView($0.editor), at: $0.at, content: $0.content) }
        history = bulletin.history.map {
            HistoryView(action: $0.action, by: PersonView($0.by), at: $0.at, version: $0.version, reason: $0.reason, eventId: $0.eventId)
        }
    }

    enum CodingKeys: String, CodingKey { case id, status, version, eventId, author, editors, createdAt, updatedAt, content, corrects, versions, history }

    /// `eventId` always present (null until published), so clients see one shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(version, forKey: .version)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(author, forKey: .author)
        try container.encode(editors, forKey: .editors)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(content, forKey: .content)
        try container.encode(corrects, forKey: .corrects)
        try container.encodeIfPresent(versions, forKey: .versions)
        try container.encodeIfPresent(history, forKey: .history)
    }
}

struct BulletinList: Encodable {
    var bulletins: [BulletinView]
}
