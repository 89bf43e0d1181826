import Foundation
@testable import SikoCAP
import SikoModel
import Testing

@Suite("CAP reader: no DTD, UTF-8 only, bounded, and every XSD requirement named by its element")
struct CAPReaderTests {
    func read(_ text: String) -> Result<CAPAlert, CAPReader.Failure> { CAPReader.read(Array(text.utf8)) }

    func errors(_ text: String) -> [FieldError] {
        guard case .failure(.invalid(let errors)) = read(text) else { return [] }
        return errors
    }

    @Test("every shipped sample reads as a valid alert")
    func samples() throws {
        for name in try CAPSamples.names() {
            let result = CAPReader.read(try CAPSamples.bytes(name))
            guard case .success(let alert) = result else {
                Issue.record("\(name): \(result)")
                continue
            }
            #expect(!alert.identifier.isEmpty, "\(name)")
        }
    }

    @Test("the 1352-area DWD alert reads whole: every area and its WARNCELLID geocodes")
    func largeDWD() throws {
        guard case .success(let alert) = CAPReader.read(try CAPSamples.bytes(CAPSamples.dwd[0])) else { Issue.record("not read"); return }
        #expect(alert.infos.map(\.areas.count).reduce(0, +) == 1352)
        #expect(alert.sender == "opendata@dwd.de")
        #expect(alert.infos.flatMap(\.areas).flatMap(\.geocodes).filter { $0.name == "WARNCELLID" }.count > 1000)
    }

    @Test("a DOCTYPE is refused before parsing, with its line: no XXE, no entity expansion")
    func doctype() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE alert [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>
            """
        #expect(read(xxe) == .failure(.declaration(line: 2)))
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
            + (1...9).map { "<!ENTITY lol\($0) \"" + String(repeating: "&lol\($0 == 1 ? "" : String($0 - 1));", count: 10) + "\">" }.joined(separator: "\n")
            + "\n]>\n<alert>&lol9;</alert>"
        #expect(read(laughs) == .failure(.declaration(line: 2)))
        #expect(read("<alert><!ENTITY x \"y\"></alert>") == .failure(.declaration(line: 1)))
    }

    @Test("a DOCTYPE inside a comment or CDATA is text, not a declaration")
    func quotedDeclaration() {
        let alert = CAPSamples.alert(extraHeader: "<!-- <!DOCTYPE x> --><note><![CDATA[<!DOCTYPE y>]]></note>")
        guard case .success(let read) = read(alert) else { Issue.record("refused"); return }
        #expect(read.note == "<!DOCTYPE y>")
    }

    @Test("an undeclared entity reference is malformed, never resolved")
    func undeclaredEntity() {
        let alert = CAPSamples.alert(extraHeader: "<note>&secret;</note>")
        guard case .failure(.malformed) = read(alert) else { Issue.record("\(read(alert))"); return }
    }

    @Test("UTF-16 and other encodings are refused")
    func encodings() {
        #expect(CAPReader.read([0xFF, 0xFE, 0x3C, 0x00]) == .failure(.encoding("UTF-16 or UTF-32")))
        #expect(read("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><alert/>") == .failure(.encoding("ISO-8859-1")))
    }

    @Test("broken XML and deep nesting are malformed with a line")
    func malformed() {
        guard case .failure(.malformed(let detail)) = read("<alert>\n<identifier>x</alert>") else { Issue.record("accepted"); return }
        #expect(detail.hasPrefix("line 2"))
        let deep = String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40)
        guard case .failure(.malformed(let nested)) = read(deep) else { Issue.record("accepted"); return }
        #expect(nested.contains("nested"))
    }

    @Test("a document that is not a CAP 1.2 alert names what it is")
    func wrongRoot() {
        let found = errors("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\"><identifier>x</identifier></alert>")
        #expect(found.map(\.field) == ["alert"])
        #expect(found.first?.message.contains("cap:1.1") == true)
    }

    @Test("missing required elements are named, in the alert and in each info block")
    func required() {
        let alert = """
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>a</identifier><sender>b</sender>
            <sent>2026-12-01T03:10:00+01:00</sent><status>Actual</status><scope>Public</scope>
            <info><category>Security</category><urgency>Immediate</urgency><severity>Severe</severity></info></alert>
            """
        let fields = Set(errors(alert).map(\.field))
        #expect(fields == ["alert.msgType", "alert.info[0].event", "alert.info[0].certainty"])
        #expect(errors(alert).first { $0.field == "alert.msgType" }?.messageDe == "ist erforderlich")
    }

    @Test("enumerations, times, identifiers, polygons and circles are checked, each at its element")
    func values() {
        let info = CAPSamples.info(
            urgency: "Sofort", expires: "2026-12-01T03:10:00.5Z",
            areas: "<area><areaDesc>x</areaDesc><polygon>51.5,7.0 51.6,7.1 51.5,7.2</polygon><circle>51.5,7.0</circle></area>"
        )
        let found = errors(CAPSamples.alert(identifier: "a b", status: "Real", infos: [info]))
        #expect(Set(found.map(\.field)) == [
            "alert.identifier", "alert.status", "alert.info[0].urgency", "alert.info[0].expires",
            "alert.info[0].area[0].polygon[0]", "alert.info[0].area[0].circle[0]",
        ])
        #expect(found.first { $0.field == "alert.status" }?.message == "'Real' is not one of Actual, Exercise, System, Test, Draft")
        #expect(found.first { $0.field.hasSuffix("polygon[0]") }?.message.contains("at least 4 points") == true)
    }

    @Test("an open polygon, a point off the earth, an unknown element and one out of order are named")
    func structure() {
        let info = CAPSamples.info(areas: "<area><areaDesc>x</areaDesc><polygon>51.5,7.0 51.6,7.1 51.5,7.2 51.4,7.0</polygon><polygon>95,7 51,7 51,8 95,7</polygon></area>")
        let alert = CAPSamples.alert(infos: [info]).replacingOccurrences(of: "<scope>Public</scope>", with: "<scope>Public</scope><colour>red</colour>")
            .replacingOccurrences(of: "<status>Actual</status>\n  <msgType>Alert</msgType>", with: "<msgType>Alert</msgType>\n  <status>Actual</status>")
        let found = errors(alert)
        #expect(Set(found.map(\.field)) == ["alert.colour", "alert.status", "alert.info[0].area[0].polygon[0]", "alert.info[0].area[0].polygon[1]"])
        #expect(found.first { $0.field == "alert.status" }?.message.contains("out of order") == true)
    }

    @Test("a single element given twice is named")
    func twice() {
        let found = errors(CAPSamples.alert(extraHeader: "<note>a</note><note>b</note>"))
        #expect(found.map(\.field) == ["alert.note"])
        #expect(found.first?.message.contains("only once") == true)
    }

    @Test("CAP times: offset required, no fractions, real dates only; written back in Berlin time")
    func times() {
        #expect(CAPTime.parse("2026-12-01T03:10:00+01:00") == Date(timeIntervalSince1970: 1_796_091_000))
        #expect(CAPTime.parse("2026-12-01T03:10:00Z") == nil)
        #expect(CAPTime.parse("2026-12-01T03:10:00.000+01:00") == nil)
        #expect(CAPTime.parse("2026-02-30T03:10:00+01:00") == nil)
        #expect(CAPTime.format(Date(timeIntervalSince1970: 1_796_091_000.75)) == "2026-12-01T03:10:00+01:00")
        #expect(CAPTime.format(Date(timeIntervalSince1970: 1_782_864_000)) == "2026-07-01T02:00:00+02:00")
    }
}
