import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SikoCore
import SikoModel

/// Übersicht, Meldungen and an event's page with its live delivery board.
struct OverviewPages: Sendable {
    let console: Console

    /// The board's server-sent events: a comment this often keeps idle timeouts and proxies open.
    static let heartbeat: Duration = .seconds(15)
    static let boardPoll: Duration = .seconds(1)
    /// A board left open stops after this long; the page then offers a reload.
    static let boardLifetime: Duration = .seconds(3600)

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("/") { request, context in
            PageRenderer.redirect(to: context.identity == nil ? "/anmelden" : "/uebersicht")
        }
        group.get("uebersicht") { request, context in try await overview(request, context) }
        group.get("meldungen") { request, context in try await events(request, context) }
        group.get("meldungen/:id") { request, context in try await event(request, context) }
        group.get("meldungen/:id/live") { request, context in try await live(request, context) }
    }

    private func overview(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let overview = try await console.gateway.overview.overview(by: identity)
        let views = console.views(context)
        let tally = ChannelKind.allCases.compactMap { channel -> [String: Any]? in
            let rows = overview.lastDay.filter { $0.channel == channel }
            guard !rows.isEmpty else { return nil }
            return ["channel": views.channel(channel), "counts": DeliveryStatus.allCases.map { status in
                rows.first { $0.status == status }?.count ?? 0
            }]
        }
        // People who write or approve bulletins see the latest of them, too.
        var bulletins: [[String: Any]] = []
        if identity.has(.bulletinsSend) || identity.has(.bulletinsApprove) {
            bulletins = try await console.gateway.bulletins.list(status: nil, by: identity).prefix(5).map { bulletin in
                [
                    "id": bulletin.id, "title": bulletin.current.content.title ?? bulletin.id, "status": views.bulletinStatus(bulletin.status),
                    "updatedAt": views.times.text(bulletin.updatedAt, context.language), "updatedAtMachine": views.times.machine(bulletin.updatedAt),
                ]
            }
        }
        let data: [String: Any] = [
            "bulletins": bulletins, "showBulletins": identity.has(.bulletinsSend) || identity.has(.bulletinsApprove),
            "events": overview.recentEvents.map(views.event), "hasTally": !tally.isEmpty, "tally": tally,
            "statuses": DeliveryStatus.allCases.map(views.status),
            "deliveries": overview.deadLetters.map { views.delivery($0, back: "/uebersicht") },
            "breakers": overview.openBreakers.map { breaker in
                [
                    "channel": views.channel(breaker.channel), "host": breaker.host,
                    "retryAt": views.times.text(breaker.retryAt, context.language), "retryAtMachine": views.times.machine(breaker.retryAt),
                ]
            },
        ]
        return console.renderer.render(.init(template: "overview", title: views.t("overview_title"), data: data, section: "overview"), context: context)
    }

    private func events(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        let before = request.uri.queryParameters.get("vor")
        let page = 50
        let events = try await console.gateway.publishing.recent(before: before, limit: page, by: identity)
        let views = console.views(context)
        let data: [String: Any] = ["events": events.map(views.event), "next": section(events.count == page ? events.last?.id : nil)]
        return console.renderer.render(.init(template: "events", title: views.t("events_title"), data: data, section: "events"), context: context)
    }

    private func event(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        guard let id = context.parameters.get("id") else { throw ConsoleFailure.notFound }
        let reading = try await console.gateway.publishing.read(id: id, secureChannel: console.settings.carriesRestricted, by: identity)
        let board = try await console.gateway.publishing.board(of: id, by: identity)
        let deliveries = try await console.gateway.publishing.deliveries(of: id, page: DeliveryQuery(limit: 200), by: identity)
        let views = console.views(context)
        var event = views.event(reading.event)
        switch reading.content {
        case .shown:
            event["content"] = ["paragraphs": (reading.event.body ?? "").components(separatedBy: "\n\n").filter { !$0.isEmpty }]
        case .withheld(.notCleared): event["hiddenReason"] = views.t("restricted_hidden")
        case .withheld(.insecureChannel): event["hiddenReason"] = views.t("restricted_insecure")
        }
        var detail: [[String: Any]] = []
        for delivery in deliveries.reversed() {
            let attempts = try await console.gateway.deliveries.detail(id: delivery.id, by: identity).attempts
            var row = views.delivery(delivery, back: request.uri.path)
            row["attemptCount"] = delivery.attempts
            row["attempts"] = attempts.map { attempt in
                [
                    "at": views.times.text(attempt.finishedAt, context.language), "atMachine": views.times.machine(attempt.finishedAt),
                    "outcome": views.status(attempt.status), "error": section(attempt.error),
                ] as [String: Any]
            }
            detail.append(row)
        }
        let chain = try await console.gateway.publishing.chain(of: id, by: identity)
        let data: [String: Any] = [
            "event": event, "board": views.board(board), "statuses": views.statusColumns, "detail": detail,
            "liveURL": "/meldungen/\(id)/live", "chain": chain.count > 1 ? views.chain(chain, current: id) : [],
        ]
        let query = request.uri.queryParameters
        let notice: String? = query.get("test") != nil ? views.t("test_sent") : query.get("freigegeben") != nil ? views.t("bulletin_published") : nil
        return console.renderer.render(.init(template: "event", title: reading.event.title, data: data, notice: notice, section: "events"), context: context)
    }

    /// Server-sent events: the board whenever it changes, a heartbeat comment every 15 s, until
    /// the client goes or an hour has passed.
    private func live(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let identity = try context.signedIn(request)
        guard let id = context.parameters.get("id") else { throw ConsoleFailure.notFound }
        let publishing = console.gateway.publishing
        let first = try await publishing.board(of: id, by: identity)
        let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"]
        return Response(status: .ok, headers: headers, body: .init { writer in
            let clock = ContinuousClock()
            let end = clock.now + Self.boardLifetime
            var lastSent: DeliveryBoard? = nil
            var lastWrite = clock.now
            var board = first
            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
            while clock.now < end {
                if board != lastSent {
                    try await writer.write(ByteBuffer(string: "event: board\ndata: \(BoardUpdate(board).json)\n\n"))
                    lastSent = board
                    lastWrite = clock.now
                } else if clock.now - lastWrite >= Self.heartbeat {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    lastWrite = clock.now
                }
                try await Task.sleep(for: Self.boardPoll)
                board = try await publishing.board(of: id, by: identity)
            }
            try await writer.finish(nil)
        })
    }
}

/// What the page's script needs to update the board: counts keyed as the table's data attributes.
struct BoardUpdate: Encodable {
    var rows: [String: [String: Int]]
    var settled: Bool

    init(_ board: DeliveryBoard) {
        var rows: [String: [String: Int]] = [:]
        for row in board.rows {
            var cells = Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, row.count($0)) })
            cells["total"] = row.total
            rows[row.partner + "/" + row.channel.rawValue] = cells
        }
        var totals = Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, board.totals[$0] ?? 0) })
        totals["total"] = board.totals.values.reduce(0, +)
        rows["total"] = totals
        self.rows = rows
        settled = board.settled
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}
