import Foundation
import SikoModel
import Testing

@Suite("Bulletins: the workflow's steps, four eyes, versions, and what changed since submission")
struct BulletinWorkflowTests {
    let anna = BulletinPerson(userID: "usr_anna", login: "anna", name: "Anna Schmidt")
    let bernd = BulletinPerson(userID: "usr_bernd", login: "bernd", name: "Bernd Köhler")
    let jens = BulletinPerson(userID: "usr_jens", login: "jens", name: "Jens Müller")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let content = EventSubmission(topic: "lagebild", urgency: "medium", areas: ["ruhr"], title: "Lagebild Süd", body: "Sperrung ab 20 Uhr.")

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    func submitted() throws -> Bulletin {
        try BulletinWorkflow.submit(BulletinWorkflow.create(id: "blt_1", content: content, by: anna, at: t0), by: anna, at: at(1))
    }

    @Test("create makes a draft with version 1 by its author")
    func create() {
        let bulletin = BulletinWorkflow.create(id: "blt_1", content: content, by: anna, at: t0)
        #expect(bulletin.status == .draft)
        #expect(bulletin.version == 1)
        #expect(bulletin.author == anna)
        #expect(bulletin.editors.isEmpty)
        #expect(bulletin.history == [BulletinHistoryEntry(action: .created, by: anna, at: t0, version: 1)])
        #expect(bulletin.revision == 1)
    }

    @Test("submit, then approve by another person: published with the event, the version named in the history")
    func approve() throws {
        let bulletin = try submitted()
        #expect(bulletin.status == .submitted)
        let published = try BulletinWorkflow.approve(bulletin, version: 1, by: jens, at: at(2), eventId: "evt_1")
        #expect(published.status == .published)
        #expect(published.eventId == "evt_1")
        #expect(published.history.last == BulletinHistoryEntry(action: .approved, by: jens, at: at(2), version: 1, eventId: "evt_1"))
        #expect(try BulletinWorkflow.approve(bulletin, version: nil, by: jens, at: at(2), eventId: "evt_1") == published, "nil names the current version")
    }

    @Test("four eyes: neither the author nor anyone who edited it may approve")
    func fourEyes() throws {
        let bulletin = try submitted()
        #expect(throws: BulletinRefusal.fourEyes(approver: anna)) { try BulletinWorkflow.approve(bulletin, version: nil, by: anna, at: at(2), eventId: "evt_1") }
        let edited = try BulletinWorkflow.submit(BulletinWorkflow.edit(bulletin, content: content, by: bernd, at: at(2)), by: anna, at: at(3))
        #expect(edited.editors == [bernd])
        #expect(edited.writers == [anna, bernd])
        #expect(throws: BulletinRefusal.fourEyes(approver: bernd), "an editor who is not the author") {
            try BulletinWorkflow.checkApproval(edited, version: nil, by: bernd)
        }
        let sameIDOtherLogin = BulletinPerson(userID: "usr_bernd", login: "bernd.k", name: "Bernd K.")
        #expect(throws: BulletinRefusal.fourEyes(approver: sameIDOtherLogin), "a person is the user id, not the login") {
            try BulletinWorkflow.checkApproval(edited, version: nil, by: sameIDOtherLogin)
        }
        #expect(try BulletinWorkflow.checkApproval(edited, version: 2, by: jens) == 2)
        #expect(BulletinWorkflow.actions(for: edited, by: bernd) == [.edited, .rejected, .withdrawn])
        #expect(BulletinWorkflow.actions(for: edited, by: jens) == [.edited, .approved, .rejected, .withdrawn])
    }

    @Test("approval names the version it saw: any other answers a conflict")
    func versionConflict() throws {
        let edited = try BulletinWorkflow.submit(BulletinWorkflow.edit(submitted(), content: content, by: anna, at: at(2)), by: anna, at: at(3))
        #expect(throws: BulletinRefusal.versionConflict(named: 1, current: 2)) { try BulletinWorkflow.checkApproval(edited, version: 1, by: jens) }
        #expect(throws: BulletinRefusal.versionConflict(named: 7, current: 2)) { try BulletinWorkflow.checkApproval(edited, version: 7, by: jens) }
    }

    @Test("each step only from its states")
    func wrongStates() throws {
        let draft = BulletinWorkflow.create(id: "blt_1", content: content, by: anna, at: t0)
        #expect(throws: BulletinRefusal.wrongState(action: .approved, status: .draft)) { try BulletinWorkflow.checkApproval(draft, version: nil, by: jens) }
        #expect(throws: BulletinRefusal.wrongState(action: .rejected, status: .draft)) { try BulletinWorkflow.reject(draft, reason: "nein", by: jens, at: t0) }
        let submitted = try submitted()
        #expect(throws: BulletinRefusal.wrongState(action: .submitted, status: .submitted)) { try BulletinWorkflow.submit(submitted, by: anna, at: t0) }
        let rejected = try BulletinWorkflow.reject(submitted, reason: "Gebiet zu groß", by: jens, at: at(2))
        #expect(throws: BulletinRefusal.wrongState(action: .submitted, status: .rejected), "a rejected bulletin is edited before it is submitted again") {
            try BulletinWorkflow.submit(rejected, by: anna, at: t0)
        }
        let published = try BulletinWorkflow.approve(submitted, version: nil, by: jens, at: at(2), eventId: "evt_1")
        for closed in [published, try BulletinWorkflow.withdraw(draft, by: anna, at: at(1))] {
            #expect(throws: BulletinRefusal.wrongState(action: .edited, status: closed.status)) { try BulletinWorkflow.edit(closed, content: content, by: anna, at: t0) }
            #expect(throws: BulletinRefusal.wrongState(action: .withdrawn, status: closed.status)) { try BulletinWorkflow.withdraw(closed, by: anna, at: t0) }
            #expect(throws: BulletinRefusal.wrongState(action: .approved, status: closed.status)) {
                try BulletinWorkflow.approve(closed, version: nil, by: jens, at: t0, eventId: "evt_2")
            }
            #expect(BulletinWorkflow.actions(for: closed, by: jens).isEmpty)
        }
    }

    @Test("edit from draft, submitted or rejected makes a new version and returns to draft")
    func edit() throws {
        let draft = BulletinWorkflow.create(id: "blt_1", content: content, by: anna, at: t0)
        let submitted = try submitted()
        let rejected = try BulletinWorkflow.reject(submitted, reason: "Text fehlt", by: jens, at: at(2))
        var changed = content
        changed.title = "Lagebild Süd (aktualisiert)"
        for bulletin in [draft, submitted, rejected] {
            let edited = try BulletinWorkflow.edit(bulletin, content: changed, by: bernd, at: at(5))
            #expect(edited.status == .draft)
            #expect(edited.version == 2)
            #expect(edited.versions.map(\.content) == [content, changed], "the earlier version is kept whole")
            #expect(edited.history.last == BulletinHistoryEntry(action: .edited, by: bernd, at: at(5), version: 2))
        }
    }

    @Test("reject needs a reason within bounds, kept in the history; withdraw from draft, submitted, rejected")
    func rejectAndWithdraw() throws {
        let bulletin = try submitted()
        for reason in [nil, "", "  \n"] as [String?] {
            #expect(throws: BulletinRefusal.self) { try BulletinWorkflow.reject(bulletin, reason: reason, by: jens, at: at(2)) }
        }
        #expect(throws: BulletinRefusal.self) { try BulletinWorkflow.reject(bulletin, reason: String(repeating: "ä", count: 1001), by: jens, at: at(2)) }
        let rejected = try BulletinWorkflow.reject(bulletin, reason: " Bitte Gebiet prüfen ", by: jens, at: at(2))
        #expect(rejected.status == .rejected)
        #expect(rejected.history.last?.reason == "Bitte Gebiet prüfen")
        for open in [BulletinWorkflow.create(id: "blt_2", content: content, by: anna, at: t0), bulletin, rejected] {
            let withdrawn = try BulletinWorkflow.withdraw(open, by: anna, at: at(3))
            #expect(withdrawn.status == .withdrawn)
            #expect(withdrawn.history.last?.action == .withdrawn)
        }
    }

    @Test("the diff compares the current version with the one last submitted before it, field by field")
    func diff() throws {
        let first = try submitted()
        #expect(BulletinDiff.sinceSubmission(first) == BulletinDiff(from: nil, to: 1, changes: []), "nothing to compare the first submission with")
        var second = content
        second.title = "Lagebild Süd – Änderung"
        second.areas = ["ruhr", "essen"]
        second.classification = "public"
        second.exercise = true
        let rejected = try BulletinWorkflow.reject(first, reason: "Titel", by: jens, at: at(2))
        let draftTwo = try BulletinWorkflow.edit(rejected, content: second, by: anna, at: at(3))
        var third = second
        third.urgency = "high"
        let resubmitted = try BulletinWorkflow.submit(BulletinWorkflow.edit(draftTwo, content: third, by: anna, at: at(4)), by: anna, at: at(5))
        let diff = BulletinDiff.sinceSubmission(resubmitted)
        #expect(diff.from == 1)
        #expect(diff.to == 3)
        #expect(diff.changes == [
            .init(field: "title", label: "Titel", before: "Lagebild Süd", after: "Lagebild Süd – Änderung"),
            .init(field: "urgency", label: "Dringlichkeit", before: "medium", after: "high"),
            .init(field: "areas", label: "Gebiete", before: "ruhr", after: "ruhr, essen"),
            .init(field: "exercise", label: "Übung", before: "nein", after: "ja"),
        ], "an explicit public is no change from the default; the unsubmitted version 2 is skipped")
    }
}
