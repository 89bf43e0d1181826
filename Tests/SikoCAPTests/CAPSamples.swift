import Foundation
@testable import SikoCAP
import SikoTestSupport

/// The shipped samples (copied from `../shared/samples/cap/` into `Tests/Fixtures/cap`) and a builder for alerts of our own.
enum CAPSamples {
    static let folder = Repository.capSamples

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xml") }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static let dwd = [
        "dwd-2.49.0.0.276.0.DWD.PVW.1687470000000.fe90b61b-3755-4efb-8eda-b161251da9f7.MUL.xml",
        "dwd-2.49.0.0.276.0.DWD.PVW.1687511640000.0d1a4fb5-251a-46fc-aae3-a688d2021e71.MUL.xml",
        "dwd-2.49.0.0.276.0.DWD.PVW.1687514160000.20999218-5d5e-4761-b271-6c243f695568.MUL.xml",
    ]

    /// An alert of the Ruhr: `info` blocks and header fields replaced as a test needs.
    static func alert(
        identifier: String = "KR-RE-2026-0042", sender: String = "leitstelle@kreis-re.de", status: String = "Actual",
        msgType: String = "Alert", scope: String = "Public", extraHeader: String = "", infos: [String]? = nil
    ) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(identifier)</identifier>
          <sender>\(sender)</sender>
          <sent>2026-12-01T03:10:00+01:00</sent>
          <status>\(status)</status>
          <msgType>\(msgType)</msgType>
          <scope>\(scope)</scope>
          \(extraHeader)
          \((infos ?? [info()]).joined(separator: "\n"))
        </alert>
        """
    }

    static func info(
        language: String = "de-DE", category: String = "Security", event: String = "Razzia", urgency: String = "Immediate",
        severity: String = "Severe", certainty: String = "Observed", headline: String = "Großkontrolle in Marl",
        description: String = "Kontrolle von Shisha-Bars im Stadtgebiet.", instruction: String? = "Bereich meiden.",
        expires: String? = nil, parameters: String = "", areas: String? = nil
    ) -> String {
        """
        <info>
          <language>\(language)</language>
          <category>\(category)</category>
          <event>\(event)</event>
          <urgency>\(urgency)</urgency>
          <severity>\(severity)</severity>
          <certainty>\(certainty)</certainty>
          \(expires.map { "<expires>\($0)</expires>" } ?? "")
          <headline>\(headline)</headline>
          <description>\(description)</description>
          \(instruction.map { "<instruction>\($0)</instruction>" } ?? "")
          <web>https://www.kreis-re.de/lage</web>
          <contact>Leitstelle Kreis Recklinghausen</contact>
          \(parameters)
          \(areas ?? geocode("AGS", "05562024", description: "Marl"))
        </info>
        """
    }

    static func geocode(_ name: String, _ value: String, description: String = "Gebiet") -> String {
        "<area><areaDesc>\(description)</areaDesc><geocode><valueName>\(name)</valueName><value>\(value)</value></geocode></area>"
    }

    static func parameter(_ name: String, _ value: String) -> String {
        "<parameter><valueName>\(name)</valueName><value>\(value)</value></parameter>"
    }
}
