import Foundation
import Testing
@testable import SikoConsole
import SikoModel

@Suite("Console rules")
struct ConsoleRulesTests {
    @Test("sign-in returns only to a local path: never another origin, a scheme-relative URL or a backslash trick", arguments: [
        ("/meldungen/evt_1", "/meldungen/evt_1"),
        ("/zustellungen?status=dead", "/zustellungen?status=dead"),
        ("//evil.example/x", nil),
        ("/\\evil.example", nil),
        ("https://evil.example/", nil),
        ("javascript:alert(1)", nil),
        ("meldungen", nil),
        ("/anmelden?next=/x", nil),
        ("/ok\r\nSet-Cookie: x=y", nil),
    ] as [(String, String?)])
    func signInTarget(given: String, expected: String?) {
        #expect(SignInTarget.local(given) == expected)
    }

    @Test("a form keeps every value of a repeated field and decodes + and percent escapes, umlauts included")
    func formDecoding() {
        let form = Form(encoded: "areas=bochum&areas=essen&title=Gro%C3%9Fkontrolle+Nord&empty=&_csrf=abc")
        #expect(form.all("areas") == ["bochum", "essen"])
        #expect(form["title"] == "Großkontrolle Nord")
        #expect(form["empty"] == nil)
        #expect(form.has("empty"))
        #expect(form["missing"] == nil)
    }

    @Test("the CSRF check refuses a missing, empty, shorter or different token")
    func csrf() {
        let token = CSRFToken.make()
        #expect(token.count >= 43)
        #expect(CSRFToken.matches(token, token))
        #expect(!CSRFToken.matches(nil, token))
        #expect(!CSRFToken.matches("", ""))
        #expect(!CSRFToken.matches(String(token.dropLast()), token))
        #expect(!CSRFToken.matches(CSRFToken.make(), token))
    }

    @Test("VS-NfD content is carried over https, and over http only on loopback")
    func restrictedChannel() {
        func carries(_ url: String) -> Bool { Console.Settings(publicURL: url, accessibilityContact: "a@b").carriesRestricted }
        #expect(carries("https://siko.ruhr.example"))
        #expect(carries("http://127.0.0.1:8080"))
        #expect(carries("http://localhost:8080"))
        #expect(!carries("http://siko.ruhr.example"))
        #expect(!carries("http://10.1.2.3:8080"))
        #expect(Console.Settings(publicURL: "https://x", accessibilityContact: "").secureCookies)
        #expect(!Console.Settings(publicURL: "http://127.0.0.1", accessibilityContact: "").secureCookies)
    }

    @Test("a board update carries each row's counts keyed as the table's data attributes, and the totals")
    func boardUpdate() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func delivery(_ id: String, _ partner: String, _ channel: ChannelKind, _ status: DeliveryStatus) -> Delivery {
            Delivery(id: id, eventId: "evt_1", subscriptionId: "sub_" + id, partner: partner, channel: channel, target: "t",
                     status: status, nextAttemptAt: nil, createdAt: now, updatedAt: now)
        }
        let board = DeliveryBoard([
            delivery("1", "stadt-bochum", .webhook, .delivered), delivery("2", "stadt-bochum", .webhook, .pending),
            delivery("3", "stadt-essen", .email, .sent),
        ])
        #expect(!board.settled)
        let update = BoardUpdate(board)
        #expect(update.rows["stadt-bochum/webhook"]?["delivered"] == 1)
        #expect(update.rows["stadt-bochum/webhook"]?["pending"] == 1)
        #expect(update.rows["stadt-bochum/webhook"]?["total"] == 2)
        #expect(update.rows["stadt-essen/email"]?["sent"] == 1)
        #expect(update.rows["total"]?["total"] == 3)
        #expect(update.json.contains("\"settled\":false"))
        #expect(DeliveryBoard([delivery("3", "stadt-essen", .email, .sent)]).settled)
    }

    @Test("every audit action reads as words in both languages, not as its stored name")
    func auditActions() {
        for action in AuditAction.allCases {
            #expect(AuditPage.action(action.rawValue, .de) != action.rawValue, "\(action.rawValue)")
            #expect(AuditPage.action(action.rawValue, .en) != action.rawValue, "\(action.rawValue)")
        }
        #expect(AuditPage.action("some.future-action", .de) == "some.future-action")
    }

    @Test("a datetime-local field's value is Europe/Berlin time, in summer and in winter")
    func localTimes() throws {
        let winter = try #require(TimeText.parseLocal("2026-12-01T17:30"))
        #expect(winter == Date(timeIntervalSince1970: 1_796_142_600))
        #expect(TimeText.local(winter) == "2026-12-01T17:30")
        let summer = try #require(TimeText.parseLocal("2026-07-01T17:30"))
        #expect(TimeText.local(summer) == "2026-07-01T17:30")
        #expect(summer.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600) == 1800)
        #expect(TimeText.parseLocal("morgen") == nil)
    }

    @Test("every German text has an English one, and the delivery states read as the contract names them")
    func texts() {
        #expect(Set(ConsoleText.de.keys).subtracting(ConsoleText.en.keys).subtracting(["app", "partner", "channel_sms", "channel_webhook"]).isEmpty)
        let states = DeliveryStatus.allCases.map { ConsoleText.status($0, .de) }
        #expect(states == ["ausstehend", "wird gesendet", "zugestellt", "gesendet", "fehlgeschlagen", "aufgegeben", "unterdrückt"])
    }
}
