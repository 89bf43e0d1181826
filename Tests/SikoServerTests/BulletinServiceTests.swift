import Foundation
import SikoModel
import SikoTestGateway
import SikoTestSupport
import Testing
@testable import SikoCore

/// The bulletin service on a whole gateway: four eyes, versions, publishing on approval, previews.
@Suite("Bulletins: the service")
struct BulletinServiceTests {
    static func person(_ login: String, _ name: String, _ roles: Set<Role>) -> Person {
        Person(userID: "usr_\(login)", login: login, name: name, roles: roles, cleared: false)
    }

    static func staff(_ login: String, _ name: String, _ scope: Scope, _ role: Role) -> Identity {
        Identity(partner: "geschaeftsstelle", keyID: "siko_\(login)", scopes: [scope], person: person(login, name, [role]))
    }

    let anna = staff("anna", "Anna Schmidt", .bulletinsSend, .editor)
    let bernd = staff("bernd", "Bernd Köhler", .bulletinsSend, .editor)
    let jens = staff("jens", "Jens Müller", .bulletinsApprove, .approver)
    let eva = staff("eva", "Eva Özdemir", .bulletinsApprove, .approver)
    let content = EventSubmission(
        topic: "lagebild", urgency: "high", areas: ["essen"], title: "Großlage Rüttenscheid", body: "Straßensperrung an der Rüttenscheider Straße ab 20 Uhr."
    )

    /// A gateway with one webhook subscription of Stadt Essen for everything in Essen.
    func withService(_ body: (TestGateway, BulletinService) async throws -> Void) async throws {
        try await TestGateway.withGateway { fixture in
            _ = try await fixture.gateway.subscriptions.create(
                SubscriptionSubmission(name: "Lagedienst Essen", areas: ["essen"], minUrgency: "low", channel: "webhook", target: "https://lage.essen.example/hook"),
                by: Identity(partner: "stadt-essen", keyID: "siko_essen", scopes: [.subscriptionsManage])
            )
            try await body(fixture, fixture.gateway.bulletins)
        }
    }

    @Test("approval publishes the bulletin as an event of the Geschäftsstelle, its deliveries planned, both persons in the audit")
    func approvePublishes() async throws {
        try await withService { fixture, bulletins in
            let draft = try await bulletins.create(content, by: anna)
            #expect(draft.id.hasPrefix("blt_"))
            #expect(draft.status == .draft)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            let published = try await bulletins.approve(id: draft.id, version: nil, by: jens)
            #expect(published.status == .published)
            let eventId = try #require(published.eventId)
            let event = try #require(try await fixture.store.event(id: eventId))
            #expect(event.publisher == "geschaeftsstelle")
            #expect(event.externalId == "bulletin:\(draft.id):v1")
            #expect(event.title == "Großlage Rüttenscheid")
            let deliveries = try await fixture.store.deliveries(matching: DeliveryQuery(eventId: eventId))
            #expect(deliveries.map(\.partner) == ["stadt-essen"])
            #expect(deliveries.map(\.channel) == [.webhook])

            let trail = try await fixture.store.auditEntries(after: 0, limit: 100, partner: "geschaeftsstelle").map(\.record)
            #expect(trail.map(\.action) == ["bulletin.create", "bulletin.submit", "event.publish", "bulletin.approve"])
            let publish = try #require(trail.first { $0.action == "event.publish" })
            #expect(publish.actor == "siko_jens (jens)")
            #expect(publish.detail?.contains("bulletin \(draft.id) v1, written by anna, approved by jens") == true)
            #expect(trail.last?.detail == "v1, \(eventId), written by anna, approved by jens")
            let stored = try await bulletins.bulletin(id: draft.id, by: anna)
            #expect(stored.status == .published)
            #expect(stored.eventId == eventId)
            #expect(stored.history.map(\.action) == [.created, .submitted, .approved])
        }
    }

    @Test("four eyes: the author, and an editor who is not the author, cannot approve")
    func fourEyes() async throws {
        try await withService { fixture, bulletins in
            let draft = try await bulletins.create(content, by: anna)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            let annaApproving = Self.staff("anna", "Anna Schmidt", .bulletinsApprove, .approver)
            await #expect(throws: ServiceError.fourEyes(bulletin: draft.id, approver: "anna")) {
                try await bulletins.approve(id: draft.id, version: nil, by: annaApproving)
            }
            var changed = content
            changed.body = "Sperrung verlängert bis 23 Uhr."
            _ = try await bulletins.edit(id: draft.id, content: changed, by: bernd)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            let berndApproving = Self.staff("bernd", "Bernd Köhler", .bulletinsApprove, .approver)
            await #expect(throws: ServiceError.fourEyes(bulletin: draft.id, approver: "bernd")) {
                try await bulletins.approve(id: draft.id, version: 2, by: berndApproving)
            }
            #expect(try await bulletins.bulletin(id: draft.id, by: anna).status == .submitted, "nothing was published")
            #expect(try await fixture.store.events(publishedSince: .distantPast).isEmpty)
            #expect(try await bulletins.approve(id: draft.id, version: 2, by: jens).status == .published)
        }
    }

    @Test("two approvals at once: one publishes, the other answers 409; one event")
    func race() async throws {
        try await withService { fixture, bulletins in
            let draft = try await bulletins.create(content, by: anna)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            let outcomes = await withTaskGroup(of: Result<Bulletin, any Error>.self) { group in
                for approver in [jens, eva] {
                    group.addTask {
                        do { return .success(try await bulletins.approve(id: draft.id, version: 1, by: approver)) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let published = outcomes.compactMap { try? $0.get() }
            #expect(published.count == 1)
            for case .failure(let error) in outcomes {
                switch error as? ServiceError {
                case .conflict?, .wrongState?: break
                default: Issue.record("the loser gets a 409, not \(error)")
                }
            }
            #expect(try await fixture.store.events(publishedSince: .distantPast).count == 1)
            let approvals = try await fixture.store.auditEntries(after: 0, limit: 100, partner: nil).filter { $0.record.action == "bulletin.approve" }
            #expect(approvals.count == 1)
        }
    }

    @Test("reject with a reason, edit, resubmit, approve; a stale version answers a conflict; the review shows what changed")
    func rejectEditResubmit() async throws {
        try await withService { _, bulletins in
            let draft = try await bulletins.create(content, by: anna)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            await #expect(throws: ServiceError.self, "a reason is required") { try await bulletins.reject(id: draft.id, reason: " ", by: jens) }
            let rejected = try await bulletins.reject(id: draft.id, reason: "Bitte Uhrzeit ergänzen", by: jens)
            #expect(rejected.status == .rejected)
            #expect(rejected.history.last?.reason == "Bitte Uhrzeit ergänzen")
            await #expect(throws: ServiceError.wrongState(bulletin: draft.id, action: .submitted, status: .rejected)) {
                try await bulletins.submit(id: draft.id, by: anna)
            }
            var changed = content
            changed.title = "Großlage Rüttenscheid, 20–23 Uhr"
            let edited = try await bulletins.edit(id: draft.id, content: changed, by: anna)
            #expect(edited.status == .draft)
            #expect(edited.version == 2)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            let review = try await bulletins.review(id: draft.id, by: jens)
            #expect(review.changes.from == 1)
            #expect(review.changes.changes.map(\.field) == ["title"])
            #expect(review.actions == [.approved, .rejected])
            #expect(review.audience?.groups.map(\.partner) == ["stadt-essen"])
            #expect(review.audience?.groups.first?.send == 1)
            #expect(review.message?.emailSubject.contains("Großlage Rüttenscheid, 20–23 Uhr") == true)
            await #expect(throws: ServiceError.versionConflict(bulletin: draft.id, named: 1, current: 2)) {
                try await bulletins.approve(id: draft.id, version: 1, by: jens)
            }
            let published = try await bulletins.approve(id: draft.id, version: 2, by: jens)
            #expect(published.history.map(\.action) == [.created, .submitted, .rejected, .edited, .submitted, .approved])
            await #expect(throws: ServiceError.wrongState(bulletin: draft.id, action: .edited, status: .published)) {
                try await bulletins.edit(id: draft.id, content: content, by: anna)
            }
            #expect(try await bulletins.list(status: .published, by: jens).map(\.id) == [draft.id])
            #expect(try await bulletins.list(status: .draft, by: jens).isEmpty)
        }
    }

    @Test("an approval repeated after a crash between publishing and recording finds the event instead of publishing again")
    func crashBetweenPublishAndRecord() async throws {
        try await withService { fixture, bulletins in
            let draft = try await bulletins.create(content, by: anna)
            _ = try await bulletins.submit(id: draft.id, by: anna)
            let first = try await fixture.gateway.publishing.publishApproved(
                content, key: Bulletin.eventKey(id: draft.id, version: 1), by: jens, note: "before the crash"
            )
            let published = try await bulletins.approve(id: draft.id, version: nil, by: eva)
            #expect(published.eventId == first.eventId)
            #expect(try await fixture.store.events(publishedSince: .distantPast).count == 1)
            #expect(try await fixture.store.deliveries(matching: DeliveryQuery(eventId: first.eventId)).count == 1)
        }
    }

    @Test("the preview shows the audience and the message as email and SMS, with umlauts; VS-NfD only as the teaser")
    func preview() async throws {
        try await withService { _, bulletins in
            let preview = try await bulletins.preview(content, by: anna)
            #expect(preview.audience.groups.map(\.channel) == [.webhook])
            let message = try #require(preview.message)
            #expect(message.emailSubject.contains("Großlage Rüttenscheid"))
            #expect(message.emailText.contains("Straßensperrung an der Rüttenscheider Straße ab 20 Uhr."))
            #expect(message.emailText.contains("Geschäftsstelle"))
            #expect(message.sms.contains("Großlage Rüttenscheid"))
            #expect(message.smsSegments >= 1)
            var restricted = content
            restricted.classification = "restricted"
            let teaser = try #require(try await bulletins.preview(restricted, by: anna).message)
            #expect(!teaser.emailText.contains("Rüttenscheid"))
            #expect(!teaser.sms.contains("Rüttenscheid"))
            #expect(teaser.sms.contains("VS-NfD"))
            var wrong = content
            wrong.areas = ["atlantis"]
            await #expect(throws: ServiceError.self, "refused as an event would be") { try await bulletins.preview(wrong, by: anna) }
        }
    }

    @Test("who may: a person of the Geschäftsstelle with the step's scope")
    func access() async throws {
        try await withService { _, bulletins in
            let system = Identity(partner: "geschaeftsstelle", keyID: "siko_system", scopes: [.bulletinsSend, .bulletinsApprove])
            await #expect(throws: ServiceError.personRequired) { try await bulletins.create(content, by: system) }
            let essen = Identity(partner: "stadt-essen", keyID: "siko_e", scopes: [.bulletinsSend], person: Self.person("emma", "Emma", [.editor]))
            await #expect(throws: ServiceError.centralOfficeOnly) { try await bulletins.create(content, by: essen) }
            await #expect(throws: ServiceError.missingScope(.bulletinsSend)) { try await bulletins.create(content, by: jens) }
            let draft = try await bulletins.create(content, by: anna)
            await #expect(throws: ServiceError.missingScope(.bulletinsApprove)) { try await bulletins.reject(id: draft.id, reason: "nein", by: bernd) }
            await #expect(throws: ServiceError.bulletinNotFound("blt_unknown")) { try await bulletins.submit(id: "blt_unknown", by: anna) }
            await #expect(throws: ServiceError.centralOfficeOnly) { try await bulletins.list(status: nil, by: essen) }
            #expect(try await bulletins.list(status: nil, by: system).map(\.id) == [draft.id], "reading needs no person")
        }
    }
}
