import SikoTestSupport
import Foundation
import SikoConfig
import SikoModel
import Testing

@Suite("Rules/policies.yaml")
struct PoliciesConfigTests {
    /// The shipped geography with the given policies file.
    func load(_ policies: String) throws -> Result<RuleSet, ConfigErrors> {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for name in ["areas.yaml", "topics.yaml", "partners.yaml"] {
            try FileManager.default.copyItem(atPath: Repository.rules + "/" + name, toPath: folder.file(name))
        }
        _ = try folder.write("policies.yaml", policies)
        do { return .success(try RulesLoader(directory: folder.path).load()) } catch { return .failure(error) }
    }

    @Test("the shipped policies: SMS quiet at night, duplicates within 30 minutes, flood limits, VS-NfD teasers")
    func shipped() throws {
        let policies = try RulesLoader(directory: Repository.rules).load().policies
        let night = try #require(policies.quietHours.first)
        #expect(night.from == TimeOfDay("22:00") && night.until == TimeOfDay("06:00") && night.below == .high)
        #expect(night.channels == [.sms: .defer])
        #expect(policies.duplicateWindow == .seconds(1800))
        #expect(policies.floodLimits[.sms] == FloodLimit(channel: .sms, max: 10, per: .seconds(3600)))
        #expect(policies.classification.restricted == [.webhook: .full, .email: .teaser, .sms: .teaser])
    }

    @Test("an empty file means no policy holds anything back")
    func empty() throws {
        #expect(try load("").get().policies == .standard)
    }

    @Test("every mistake names its line and field")
    func errors() throws {
        let result = try load("""
            quietHours:
              - name: nacht
                from: "25:00"
                until: "06:00"
                below: low
                channels: {sms: later}
                partners: [stadt-nirgendwo]
            duplicates:
              window: soon
            floodLimits:
              - channel: fax
                max: 0
                per: 1h
            classification:
              restricted:
                email: full
              fullContentNetworks: ["10.0.0.0/99"]
            escalation: {}
            """)
        guard case .failure(let failure) = result else { Issue.record("a bad file loaded"); return }
        let lines = failure.errors.map { "\($0.line.map(String.init) ?? "-"): \($0.field): \($0.message)" }
        let expected = [
            "3: quietHours[0].from: '25:00' is not a time such as \"22:00\" (quote it)",
            "5: quietHours[0].below: 'low' must be medium, high or critical (the urgencies below it are held back)",
            "6: quietHours[0].channels.sms: 'later' must be defer, suppress or never",
            "7: quietHours[0].partners[0]: unknown partner 'stadt-nirgendwo'",
            "9: duplicates.window: 'soon' is not a positive duration such as 30m or 1h",
            "11: floodLimits[0].channel: 'fax' must be email, sms or webhook",
            "12: floodLimits[0].max: '0' must be a whole number from 1 to 100000",
            "16: classification.restricted.email: VS-NfD content is never sent in clear over email: use teaser or suppress",
            "17: classification.fullContentNetworks[0]: '10.0.0.0/99' is not a CIDR such as 10.20.0.0/16",
            "18: escalation: unknown field",
        ]
        for line in expected { #expect(lines.contains(line), "\(line)\nin \(lines)") }
        #expect(failure.errors.allSatisfy { $0.file.hasSuffix("policies.yaml") })
    }
}
