import SikoTestSupport
import SikoModel
import Testing

@Suite("SMS text: GSM 03.38 or UCS-2, segments, cutting")
struct SMSTextTests {
    @Test("German text with umlauts and ß is GSM-7", arguments: [
        "Großkontrolle Altendorfer Straße in Mülheim, Bochum und Gelsenkirchen ab 20:00 Uhr.",
        "ÄÖÜäöüß é è à Ñ ñ Ç Ø Å Δ Ω ¿ ¡ § £ ¥ @",
        "Kosten: 12 € [geschätzt] {ca.} ~5 | ^ \\",
    ])
    func gsm(_ text: String) {
        #expect(SMSText.encoding(of: text) == .gsm7)
    }

    @Test("characters outside the alphabet force UCS-2", arguments: ["Einsatz 🚨", "„Anführungszeichen“", "Gedankenstrich – hier", "ç ê ô", "Ślązak"])
    func ucs2(_ text: String) {
        #expect(SMSText.encoding(of: text) == .ucs2)
    }

    @Test("the euro sign and []{}~^|\\ take two septets each")
    func escapes() {
        #expect(SMSText.length(of: "€") == 2)
        #expect(SMSText.length(of: "[]{}") == 8)
        #expect(SMSText.length(of: "ä") == 1)
        #expect(SMSText.length(of: "a€b") == 4)
    }

    @Test("segment limits: 160 / 153 septets, 70 / 67 UCS-2 units")
    func segmentLimits() {
        #expect(SMSText.segments(of: String(repeating: "a", count: 160)) == 1)
        #expect(SMSText.segments(of: String(repeating: "a", count: 161)) == 2)
        #expect(SMSText.segments(of: String(repeating: "a", count: 306)) == 2)
        #expect(SMSText.segments(of: String(repeating: "a", count: 307)) == 3)
        #expect(SMSText.segments(of: String(repeating: "€", count: 80)) == 1, "160 septets")
        #expect(SMSText.segments(of: String(repeating: "€", count: 81)) == 2)
        #expect(SMSText.segments(of: String(repeating: "ж", count: 70)) == 1)
        #expect(SMSText.segments(of: String(repeating: "ж", count: 71)) == 2)
        #expect(SMSText.segments(of: String(repeating: "ж", count: 134)) == 2)
        #expect(SMSText.segments(of: String(repeating: "ж", count: 135)) == 3)
        #expect(SMSText.segments(of: "") == 1)
    }

    @Test("an escape pair or a surrogate pair never straddles two segments")
    func noSplitPairs() {
        // 152 plain septets, then a euro sign: it cannot take the 153rd septet alone.
        let gsm = String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)
        #expect(SMSText.length(of: gsm) == 306)
        #expect(SMSText.segments(of: gsm) == 3, "the euro moves to the second segment, pushing the tail into a third")
        let emoji = String(repeating: "ж", count: 66) + "🚨" + String(repeating: "ж", count: 66)
        #expect(SMSText.length(of: emoji) == 134)
        #expect(SMSText.segments(of: emoji) == 3)
    }

    @Test("a text that fits is left alone")
    func fits() {
        let text = "Razzia Essen: Großkontrolle ab 20 Uhr."
        #expect(SMSText.fit(text, maxSegments: 1, link: "https://siko.example/e/1") == text)
    }

    @Test("cutting keeps within the segments, ends in the ellipsis and the link", arguments: [1, 2, 3])
    func cut(_ maxSegments: Int) {
        let link = "https://siko.example/meldungen/evt_01m886y64wwqqkv7afzhqk0gq4"
        let text = String(repeating: "Großkontrolle Altendorfer Straße, Gaststätten und Shisha-Bars. ", count: 20)
        let cut = SMSText.fit(text, maxSegments: maxSegments, link: link)
        #expect(SMSText.segments(of: cut) == maxSegments)
        #expect(cut.hasSuffix("... " + link))
        #expect(SMSText.encoding(of: cut) == .gsm7, "\"...\" keeps a GSM text in GSM")
        #expect(text.hasPrefix(String(cut.dropLast(4 + link.count))))
    }

    @Test("a UCS-2 text is cut with … and never inside an emoji")
    func cutUCS2() {
        let link = "https://siko.example/e/1"
        let text = String(repeating: "Alarm 🚨 „Einsatz“ ", count: 30)
        let cut = SMSText.fit(text, maxSegments: 2, link: link)
        #expect(SMSText.segments(of: cut) <= 2)
        #expect(cut.hasSuffix("… " + link))
        #expect(!cut.unicodeScalars.contains { $0.value == 0xFFFD })
        #expect(text.hasPrefix(String(cut.dropLast(2 + link.count))))
    }

    @Test("never inside an escape pair: a cut before a euro sign drops it whole")
    func cutBeforeEuro() {
        let link = "L"
        // 1 segment: 160 septets. "... L" is 5 septets, so 155 remain for the text.
        let text = String(repeating: "a", count: 154) + "€€€€"
        let cut = SMSText.fit(text, maxSegments: 1, link: link)
        #expect(cut == String(repeating: "a", count: 154) + "... L")
        #expect(SMSText.length(of: cut) == 159)
    }
}
