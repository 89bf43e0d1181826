import Foundation

/// An email as it goes over SMTP: RFC 5322 headers, multipart/alternative with a text and an
/// HTML part, both UTF-8 in quoted-printable, CRLF line ends, no line over 998 octets.
struct MailMessage: Sendable {
    var from: (name: String?, address: String)
    var to: String
    var subject: String
    var text: String
    var html: String
    var messageID: String
    var date: Date
    var extraHeaders: [(String, String)] = []
    var boundary = "siko-" + UUID().uuidString.lowercased()

    func rendered() -> [UInt8] {
        var headers: [(String, String)] = [
            ("Date", Self.rfc5322(date)),
            ("From", EncodedWord.mailbox(name: from.name, address: from.address)),
            ("To", "<\(to)>"),
            ("Subject", EncodedWord.encode(subject)),
            ("Message-ID", "<\(messageID)>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""),
            ("Auto-Submitted", "auto-generated"),
        ]
        headers += extraHeaders.map { ($0.0, EncodedWord.encode($0.1)) }
        var lines = headers.map { "\($0): \($1)" }
        lines.append("")
        lines.append("This is a multipart message in MIME format.")
        for (type, content) in [("text/plain", text), ("text/html", html)] {
            lines.append("--\(boundary)")
            lines.append("Content-Type: \(type); charset=utf-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(QuotedPrintable.encode(content))
        }
        lines.append("--\(boundary)--")
        lines.append("")
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// `Wed, 25 Nov 2026 20:00:00 +0000`, always in UTC.
    static func rfc5322(_ date: Date) -> String {
        date.formatted(rfc5322Style)
    }

    private static let rfc5322Style = Date.VerbatimFormatStyle(
        format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) +0000",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian)
    )
}
