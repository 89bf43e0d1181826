import SikoTestSupport
import Foundation
import SikoModel
import Testing
@testable import SikoChannels

@Suite("MIME: quoted-printable, encoded words, line lengths")
struct MIMETests {
    func decodeQP(_ text: String) -> String {
        var bytes: [UInt8] = []
        let raw = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "="), index + 2 < raw.count, let value = UInt8(String(decoding: raw[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test("quoted-printable keeps every line at 76 characters or less and round-trips", arguments: [
        "Großkontrolle Altendorfer Straße: Ordnungsamt, Polizei und Zoll – ab 20:00 Uhr.",
        String(repeating: "ä", count: 600) + String(repeating: "x", count: 600),
        "a=b\nzeile mit leerzeichen am ende   \n\ttab\n",
        String(repeating: "€🚨", count: 100),
    ])
    func quotedPrintable(_ text: String) {
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.utf8.allSatisfy { $0 < 128 })
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(decodeQP(encoded) == text)
    }

    @Test("encoded words: plain ASCII stays, umlauts become UTF-8 words that never split a character")
    func encodedWords() throws {
        #expect(EncodedWord.encode("Lagebild Ruhr") == "Lagebild Ruhr")
        let subject = "[HOCH] Razzia: Großkontrolle Altendorfer Straße – Mülheim an der Ruhr, Gelsenkirchen, Oer-Erkenschwick"
        let encoded = EncodedWord.encode(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded: [UInt8] = []
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") && word.utf8.count <= 75)
            let payload = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: payload, encoding: .utf8) != nil, "each word is valid UTF-8 on its own")
            decoded += payload
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        #expect(EncodedWord.mailbox(name: "Geschäftsstelle SiKo Ruhr", address: "gs@siko.example").hasSuffix(" <gs@siko.example>"))
        #expect(EncodedWord.mailbox(name: "Lage \"Ruhr\"", address: "a@b.de") == #""Lage \"Ruhr\"" <a@b.de>"#)
    }

    @Test("a message has no line over 998 octets and only 7-bit bytes, whatever its body holds")
    func lineLengths() {
        let message = MailMessage(
            from: ("Geschäftsstelle", "gs@siko.example"), to: "lage@polizei.example", subject: "Prüfung " + String(repeating: "ß", count: 300),
            text: String(repeating: "Zeile ohne Umbruch äöü ", count: 60), html: "<p>" + String(repeating: "x", count: 5000) + "</p>",
            messageID: "dlv_1@siko.example", date: Date(timeIntervalSince1970: 1_795_572_000)
        ).rendered()
        let lines = String(decoding: message, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(message.allSatisfy { $0 < 128 })
        #expect(lines.contains("Date: Wed, 25 Nov 2026 02:00:00 +0000"))
        #expect(lines.contains("Message-ID: <dlv_1@siko.example>"))
    }

    @Test("mailboxes parse with and without a display name")
    func mailboxes() {
        #expect(Mailbox(parsing: "SiKo Ruhr <alarm@siko.example>") == Mailbox(name: "SiKo Ruhr", address: "alarm@siko.example"))
        #expect(Mailbox(parsing: "\"Geschäftsstelle\" <gs@siko.example>")?.name == "Geschäftsstelle")
        #expect(Mailbox(parsing: "alarm@siko.example") == Mailbox(name: nil, address: "alarm@siko.example"))
        #expect(Mailbox(parsing: "nobody") == nil)
    }

    @Test("SMTP answers: 2xx sent, 4xx retried, 5xx dead with the server's words, no connection retried")
    func classification() {
        let sent = EmailChannel.classify(SMTPResult(curlCode: 0, replyCode: 250, reply: "250 2.0.0 Ok", error: ""))
        #expect(sent.outcome == .sent)
        let unknown = EmailChannel.classify(SMTPResult(curlCode: 55, replyCode: 550, reply: "550 5.1.1 <x@y.de>: User unknown", error: "RCPT failed: 550"))
        #expect(unknown.outcome == .permanent(reason: "SMTP 550 5.1.1 <x@y.de>: User unknown"))
        let later = EmailChannel.classify(SMTPResult(curlCode: 55, replyCode: 451, reply: "451 4.3.0 Try again later", error: "RCPT failed: 451"))
        #expect(later.outcome == .retry(after: nil, reason: "SMTP 451 4.3.0 Try again later"))
        let refused = EmailChannel.classify(SMTPResult(curlCode: 7, replyCode: 0, reply: "", error: "Failed to connect"))
        #expect(refused.outcome == .retry(after: nil, reason: "SMTP connection failed: Failed to connect"))
    }
}

@Suite("Times people read")
struct TimeFormatTests {
    let winter = Date(timeIntervalSince1970: 1_795_572_000)  // 2026-11-25 02:00 UTC
    let summer = Date(timeIntervalSince1970: 1_783_900_800)  // 2026-07-13 00:00 UTC

    @Test("Europe/Berlin in German and English, across summer and winter time")
    func berlin() {
        #expect(MessageContext.berlinTime(winter, language: .de) == "25.11.2026, 03:00 Uhr")
        #expect(MessageContext.berlinTime(summer, language: .de) == "13.07.2026, 02:00 Uhr")
        #expect(MessageContext.berlinTime(winter, language: .en) == "25 Nov 2026, 03:00 (Berlin time)")
        #expect(MessageContext.berlinTime(summer, language: .en) == "13 Jul 2026, 02:00 (Berlin time)")
    }

    @Test("RFC 5322 dates in UTC")
    func rfc5322() {
        #expect(MailMessage.rfc5322(winter) == "Wed, 25 Nov 2026 02:00:00 +0000")
        #expect(MailMessage.rfc5322(summer) == "Mon, 13 Jul 2026 00:00:00 +0000")
    }
}
