import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import SikoCore
import SikoModel

/// Renders a page's template inside the layout, in the request's language, with the navigation
/// the person's roles allow and the CSRF token every form carries.
struct PageRenderer: Sendable {
    let templates: MustacheLibrary
    /// How a page names a time: Europe/Berlin, whatever the server's zone.
    let times: TimeText

    /// A page to render: its template, its `<title>` and `<h1>`, and what the template reads.
    struct Page {
        var template: String
        var title: String
        var data: Any = [String: Any]()
        var status: HTTPResponse.Status = .ok
        /// A one-line notice at the top (saved, sent, signed out).
        var notice: String? = nil
        var alert: String? = nil
        /// Which navigation entry is current (`aria-current`).
        var section: String? = nil
    }

    func render(_ page: Page, context: ConsoleContext) -> Response {
        let language = context.language
        let layout: [String: Any] = [
            "lang": language.rawValue,
            "t": ConsoleText.table(language),
            "title": page.title,
            "page": page.data,
            "notice": section(page.notice),
            "alert": section(page.alert),
            "csrf": context.csrfToken ?? "",
            "person": section(context.identity?.person.map { ["name": $0.name, "login": $0.login] }),
            "nav": Navigation.items(for: context.identity, current: page.section, language: language),
            "otherLanguage": language == .de ? "en" : "de",
        ]
        let html = templates.render(layout, withTemplate: page.template) ?? "<!doctype html><title>SiKo Gateway</title><p>template \(page.template) missing</p>"
        var response = Response(status: page.status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: .init(string: html)))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }
}

/// The entries of the main navigation a person may use.
enum Navigation {
    static func items(for identity: Identity?, current: String?, language: Language) -> [[String: Any]] {
        guard let identity, let person = identity.person else { return [] }
        var entries: [(String, String)] = [("overview", "/uebersicht"), ("events", "/meldungen")]
        if identity.has(.bulletinsSend) { entries.append(("write", "/bulletins/neu")) }
        if identity.has(.bulletinsSend) || identity.has(.bulletinsApprove) { entries.append(("bulletins", "/bulletins")) }
        if identity.has(.bulletinsApprove) { entries.append(("approvals", "/freigaben")) }
        entries.append(("subscriptions", "/abonnements"))
        entries.append(("deliveries", "/zustellungen"))
        if person.roles.contains(.admin) {
            entries += [("users", "/verwaltung/benutzer"), ("keys", "/verwaltung/schluessel"), ("audit", "/verwaltung/audit")]
        }
        return entries.map { key, href in
            ["href": href, "label": ConsoleText.text("nav_" + key, language), "current": key == current]
        }
    }
}

/// Times as people in NRW read them.
struct TimeText: Sendable {
    private static let zone = TimeZone(identifier: "Europe/Berlin") ?? .current

    func text(_ date: Date?, _ language: Language) -> String {
        guard let date else { return "–" }
        var style = Date.FormatStyle(date: .numeric, time: .shortened, locale: Locale(identifier: language == .en ? "en_GB" : "de_DE"), timeZone: Self.zone)
        style.timeZone = Self.zone
        return date.formatted(style)
    }

    /// A `datetime-local` field's value (Europe/Berlin), and back.
    static func local(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    static func parseLocal(_ text: String) -> Date? {
        let numbers = text.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard numbers.count >= 5 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4]))
    }

    /// `datetime` attribute of a `<time>` element.
    func machine(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.ISO8601Format()
    }
}
