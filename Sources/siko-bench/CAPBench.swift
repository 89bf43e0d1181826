import Foundation
import SikoCAP
import SikoConfig
import SikoModel

/// The CAP reader and mapper alone, no I/O: alerts parsed (prescan, libxml2, the schema, the
/// typed alert) and mapped per second, for the shipped samples (the 1352-area DWD alert among
/// them) and a small alert of the Ruhr. Also the writer, for `Accept: application/cap+xml`.
struct CAPBench {
    let rules: String
    static let samples = ProcessInfo.processInfo.environment["SIKO_CAP_SAMPLES"] ?? "Tests/Fixtures/cap"

    func run() throws {
        let reference = try RulesLoader(directory: rules).load().reference
        let mapper = CAPMapper(reference: reference)
        print("cap (read and map, single thread; median of 5 rounds)")
        var inputs: [(String, [UInt8])] = [("ruhr alert, 1 area (1.2 KB)", Array(Self.ruhr.utf8))]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.samples).filter { $0.hasSuffix(".xml") }.sorted()) ?? []
        for name in names {
            guard let data = FileManager.default.contents(atPath: (Self.samples as NSString).appendingPathComponent(name)) else { continue }
            let short = name.hasPrefix("dwd-") ? "dwd …\(name.dropFirst(name.count - 16).prefix(12))" : String(name.dropLast(4))
            inputs.append(("\(short) (\(data.count / 1024) KB)", Array(data)))
        }
        for (label, bytes) in inputs {
            guard case .success(let alert) = CAPReader.read(bytes) else { report(label, "unreadable"); continue }
            let areas = alert.infos.map(\.areas.count).reduce(0, +)
            let perSecond = Self.rate(budget: 0.4) { _ = CAPReader.read(bytes).map(mapper.map) }
            let mb = perSecond * Double(bytes.count) / 1_048_576
            report("\(label), \(areas) areas", String(format: "%8.0f alerts/s  %6.1f MB/s", perSecond, mb))
        }
        let writer = CAPWriter(sender: "siko.example", links: Links(publicURL: "https://siko.example"))
        let event = Event(
            id: "evt_01kmz3q8r5x2c7h9tdbn4wpe6f", externalId: nil, publisher: "kreis-recklinghausen", topic: "razzia", urgency: .critical,
            areas: ["marl", "kreis-unna"], title: "Großkontrolle in Marl", body: "Kontrolle von Shisha-Bars im Stadtgebiet.",
            classification: .public, publishedAt: Date(), expiresAt: nil, data: nil
        )
        let written = Self.rate(budget: 0.4) { _ = writer.alert(event, reference: reference) }
        report("write one alert (Accept: application/cap+xml)", String(format: "%8.0f alerts/s", written))
    }

    /// Calls per second: the median of five rounds of about `budget` seconds each.
    static func rate(budget: Double, _ body: () -> Void) -> Double {
        var calls = 1
        var start = ContinuousClock.now
        body()
        let once = max(elapsed(since: start), 1e-6)
        calls = max(1, Int(budget / once))
        var rates: [Double] = []
        for _ in 0..<5 {
            start = ContinuousClock.now
            for _ in 0..<calls { body() }
            rates.append(Double(calls) / elapsed(since: start))
        }
        return Sample(values: rates).median
    }

    static let ruhr = """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>KR-RE-2026-0042</identifier><sender>leitstelle@kreis-re.de</sender><sent>2026-12-01T03:10:00+01:00</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
          <info><language>de-DE</language><category>Security</category><event>Razzia</event><urgency>Immediate</urgency>
            <severity>Severe</severity><certainty>Observed</certainty><headline>Großkontrolle in Marl</headline>
            <description>Gemeinsame Kontrolle von Ordnungsamt, Polizei und Zoll in Shisha-Bars und Wettbüros.</description>
            <instruction>Bereich weiträumig meiden.</instruction><web>https://www.kreis-re.de/lage</web>
            <contact>Leitstelle Kreis Recklinghausen</contact>
            <area><areaDesc>Marl</areaDesc><geocode><valueName>AGS</valueName><value>05562024</value></geocode></area>
          </info>
        </alert>
        """
}
