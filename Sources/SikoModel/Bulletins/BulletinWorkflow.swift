import Foundation

/// Why a bulletin cannot take a step now. Each front end says it in its own words.
public enum BulletinRefusal: Error, Sendable, Equatable {
    /// The approver wrote or edited the bulletin: four eyes need a second person.
    case fourEyes(approver: BulletinPerson)
    /// Approval named a version that is not the current one: it changed since the approver saw it.
    case versionConflict(named: Int, current: Int)
    /// The bulletin's state does not allow the step.
    case wrongState(action: BulletinAction, status: BulletinStatus)
    /// A field of the step is wrong (the reason of a rejection).
    case invalid(field: String, message: LocalizedText)
}

/// The steps of a bulletin's life, as pure functions: each takes the bulletin as read and answers
/// it as it is to be stored, or why not. Persisting it (only at the revision it was read at) is
/// the store's; publishing it the core's.
///
/// ```
/// draft ──submit──► submitted ──approve──► published
///   ▲                   │  └──reject──► rejected
///   └──────edit─────────┴──────────────────┘        draft, submitted, rejected ──withdraw──► withdrawn
/// ```
public enum BulletinWorkflow {
    public static let reasonLimit = TextLimit(characters: 1000)

    public static func create(
        id: String, content: EventSubmission, by person: BulletinPerson, at date: Date, corrects: BulletinCorrection? = nil
    ) -> Bulletin {
        Bulletin(
            id: id, status: .draft, versions: [BulletinVersion(number: 1, content: content, editor: person, at: date)],
            history: [BulletinHistoryEntry(action: .created, by: person, at: date, version: 1)], corrects: corrects
        )
    }

    /// A new version with the whole content; the bulletin goes back to draft, to be submitted again.
    public static func edit(_ bulletin: Bulletin, content: EventSubmission, by person: BulletinPerson, at date: Date) throws(BulletinRefusal) -> Bulletin {
        try require(.edited, of: bulletin, in: [.draft, .submitted, .rejected])
        var edited = bulletin
        let number = bulletin.version + 1
        edited.versions.append(BulletinVersion(number: number, content: content, editor: person, at: date))
        edited.status = .draft
        edited.history.append(BulletinHistoryEntry(action: .edited, by: person, at: date, version: number))
        return edited
    }

    public static func submit(_ bulletin: Bulletin, by person: BulletinPerson, at date: Date) throws(BulletinRefusal) -> Bulletin {
        try require(.submitted, of: bulletin, in: [.draft])
        return step(bulletin, to: .submitted, entry: BulletinHistoryEntry(action: .submitted, by: person, at: date, version: bulletin.version))
    }

    /// Whether `person` may approve `version` (nil: the current one) now, and which version that
    /// is. Checked before publishing, so a refused approval publishes nothing.
    public static func checkApproval(_ bulletin: Bulletin, version: Int?, by person: BulletinPerson) throws(BulletinRefusal) -> Int {
        try require(.approved, of: bulletin, in: [.submitted])
        if bulletin.writers.contains(where: { $0.userID == person.userID }) { throw .fourEyes(approver: person) }
        let current = bulletin.version
        if let version, version != current { throw .versionConflict(named: version, current: current) }
        return current
    }

    public static func approve(
        _ bulletin: Bulletin, version: Int?, by person: BulletinPerson, at date: Date, eventId: String
    ) throws(BulletinRefusal) -> Bulletin {
        let approved = try checkApproval(bulletin, version: version, by: person)
        var published = step(bulletin, to: .published, entry: BulletinHistoryEntry(
            action: .approved, by: person, at: date, version: approved, eventId: eventId
        ))
        published.eventId = eventId
        return published
    }

    public static func reject(_ bulletin: Bulletin, reason: String?, by person: BulletinPerson, at date: Date) throws(BulletinRefusal) -> Bulletin {
        try require(.rejected, of: bulletin, in: [.submitted])
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if reason.isEmpty { throw .invalid(field: "reason", message: LocalizedText("a reason is required", de: "Bitte geben Sie einen Grund für die Ablehnung an")) }
        if let problem = reasonLimit.problem(with: reason) { throw .invalid(field: "reason", message: problem) }
        return step(bulletin, to: .rejected, entry: BulletinHistoryEntry(
            action: .rejected, by: person, at: date, version: bulletin.version, reason: reason
        ))
    }

    /// Withdrawn for good; a published bulletin is an event already sent and stays.
    public static func withdraw(_ bulletin: Bulletin, by person: BulletinPerson, at date: Date) throws(BulletinRefusal) -> Bulletin {
        try require(.withdrawn, of: bulletin, in: [.draft, .submitted, .rejected])
        return step(bulletin, to: .withdrawn, entry: BulletinHistoryEntry(action: .withdrawn, by: person, at: date, version: bulletin.version))
    }

    /// The steps `person` may take now, for the console's buttons (scopes aside).
    public static func actions(for bulletin: Bulletin, by person: BulletinPerson) -> [BulletinAction] {
        BulletinAction.allCases.filter { action in
            switch action {
            case .created: false
            case .edited, .withdrawn: [.draft, .submitted, .rejected].contains(bulletin.status)
            case .submitted: bulletin.status == .draft
            case .approved: (try? checkApproval(bulletin, version: nil, by: person)) != nil
            case .rejected: bulletin.status == .submitted
            }
        }
    }

    private static func require(_ action: BulletinAction, of bulletin: Bulletin, in states: Set<BulletinStatus>) throws(BulletinRefusal) {
        guard states.contains(bulletin.status) else { throw .wrongState(action: action, status: bulletin.status) }
    }

    private static func step(_ bulletin: Bulletin, to status: BulletinStatus, entry: BulletinHistoryEntry) -> Bulletin {
        var next = bulletin
        next.status = status
        next.history.append(entry)
        return next
    }
}
