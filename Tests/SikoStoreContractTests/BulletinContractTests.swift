import Foundation
import SikoModel
import Testing

@Suite("Store contract: bulletins")
struct BulletinContractTests {
    let anna = BulletinPerson(userID: "usr_anna", login: "anna", name: "Anna Schmidt")
    let jens = BulletinPerson(userID: "usr_jens", login: "jens", name: "Jens Müller")
    let content = EventSubmission(topic: "lagebild", urgency: "medium", areas: ["ruhr"], title: "Lagebild Großlage Süd", body: "Straßensperrung ab 20 Uhr.")

    func draft(_ id: String, at date: Date = t0) -> Bulletin {
        BulletinWorkflow.create(id: id, content: content, by: anna, at: date)
    }

    func gs(_ action: AuditAction, _ object: String) -> AuditRecord { record(action, object, partner: "geschaeftsstelle") }

    @Test("a bulletin comes back whole, lists newest first and by status", arguments: StoreEngine.allCases)
    func roundTrip(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let older = draft("blt_01", at: t0), newer = draft("blt_02", at: t0.plus(10))
            try await store.insertBulletin(older, audit: gs(.bulletinCreate, older.id))
            try await store.insertBulletin(newer, audit: gs(.bulletinCreate, newer.id))
            #expect(try await store.bulletin(id: older.id) == older)
            #expect(try await store.bulletin(id: "blt_unknown") == nil)
            #expect(try await store.bulletins(status: nil, limit: 10).map(\.id) == [newer.id, older.id])
            #expect(try await store.bulletins(status: nil, limit: 1).map(\.id) == [newer.id])

            let submitted = try BulletinWorkflow.submit(older, by: anna, at: t0.plus(20))
            #expect(try await store.updateBulletin(submitted, expecting: older.revision, audit: gs(.bulletinSubmit, older.id)))
            #expect(try await store.bulletins(status: .submitted, limit: 10) == [submitted])
            #expect(try await store.bulletins(status: .draft, limit: 10).map(\.id) == [newer.id])
            #expect(try await store.trail().map(\.record.action) == ["bulletin.create", "bulletin.create", "bulletin.submit"])
        }
    }

    @Test("compare and set: of two changes from the same reading one is stored, the other refused without audit", arguments: StoreEngine.allCases)
    func compareAndSet(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let submitted = try BulletinWorkflow.submit(draft("blt_race"), by: anna, at: t0.plus(1))
            try await store.insertBulletin(submitted, audit: gs(.bulletinCreate, submitted.id))
            let approvals = [jens, BulletinPerson(userID: "usr_eva", login: "eva", name: "Eva Özdemir")].map { approver in
                try! BulletinWorkflow.approve(submitted, version: 1, by: approver, at: t0.plus(2), eventId: "evt_\(approver.login)")
            }
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for approval in approvals {
                    group.addTask { try await store.updateBulletin(approval, expecting: submitted.revision, audit: record(.bulletinApprove, approval.id)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.sorted { !$0 && $1 } == [false, true])
            let stored = try #require(try await store.bulletin(id: submitted.id))
            #expect(approvals.contains(stored))
            #expect(try await store.trail().filter { $0.record.action == "bulletin.approve" }.count == 1)
            let stale = try BulletinWorkflow.withdraw(submitted, by: anna, at: t0.plus(3))
            #expect(try await store.updateBulletin(stale, expecting: submitted.revision, audit: gs(.bulletinWithdraw, submitted.id)) == false)
            #expect(try await store.bulletin(id: submitted.id) == stored)
            #expect(try await store.updateBulletin(draft("blt_none"), expecting: 1, audit: gs(.bulletinEdit, "blt_none")) == false)
        }
    }

    @Test("no bulletin is created or changed without its audit entry", arguments: StoreEngine.allCases)
    func atomic(engine: StoreEngine) async throws {
        try await engine.withStore { fixture in
            let store = fixture.store
            let kept = draft("blt_kept")
            try await store.insertBulletin(kept, audit: gs(.bulletinCreate, kept.id))
            let before = try await store.trail()
            try await fixture.refuseAudit()
            await #expect(throws: (any Error).self) { try await store.insertBulletin(draft("blt_new"), audit: gs(.bulletinCreate, "blt_new")) }
            let submitted = try BulletinWorkflow.submit(kept, by: anna, at: t0.plus(1))
            await #expect(throws: (any Error).self) {
                _ = try await store.updateBulletin(submitted, expecting: kept.revision, audit: gs(.bulletinSubmit, kept.id))
            }
            try await fixture.allowAudit()
            #expect(try await store.bulletin(id: "blt_new") == nil)
            #expect(try await store.bulletin(id: kept.id) == kept)
            #expect(try await store.trail() == before)
        }
    }
}
