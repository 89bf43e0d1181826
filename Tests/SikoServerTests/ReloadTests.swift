import SikoTestSupport
import SikoTestGateway
import Foundation
import Hummingbird
import HummingbirdTesting
import SikoConfig
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

/// Reloading `Rules/` and `Channels/` into a running gateway: all or nothing.
@Suite("Reload of Rules/ and Channels/")
struct ReloadTests {
    /// Copies of the shipped folders the test may edit.
    struct Folders {
        let root: TemporaryDirectory
        var rules: String { root.file("Rules") }
        var channels: String { root.file("Channels") }

        init() throws {
            root = try TemporaryDirectory()
            try FileManager.default.copyItem(atPath: Repository.rules, toPath: rules)
            try FileManager.default.copyItem(atPath: Repository.channels, toPath: channels)
        }

        func edit(_ file: String, _ change: (String) -> String) throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try change(text).write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    @Test("a good reload puts new topics, policies and channels in force; a bad file is rejected whole and the old rules stay")
    func reload() async throws {
        let folders = try Folders()
        defer { folders.root.remove() }
        try await TestGateway.withGateway { fixture in
            let gateway = fixture.gateway
            let reloader = ConfigurationReloader(
                gateway: gateway, folders: .init(rules: folders.rules, channels: folders.channels, environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"])
            )
            #expect(!gateway.configuredChannels.contains(.email))
            #expect(gateway.reference.topic("clan-hochzeit") == nil)

            try folders.edit(folders.rules + "/topics.yaml") { $0 + "  - id: clan-hochzeit\n    name: Clan-Hochzeit\n" }
            try folders.edit(folders.rules + "/policies.yaml") { $0.replacingOccurrences(of: "window: 30m", with: "window: 2h") }
            #expect(reloader.reload() == [])
            #expect(gateway.reference.topic("clan-hochzeit")?.name == "Clan-Hochzeit")
            #expect(gateway.engine.rules.policies.duplicateWindow == .seconds(7200))
            #expect(gateway.configuredChannels == [.webhook, .email, .sms], "the shipped Channels/ configure email and SMS")
            let router = fixture.router
            let application = Application(router: router)
            try await application.test(.router) { client in
                let topics = try await client.json(.get, "/v1/topics", key: try await fixture.key("stadt-essen", .eventsPublish))
                #expect(((topics.body["topics"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == "clan-hochzeit" })
            }

            // Two bad files at once: both reported with file and line, nothing changes.
            try folders.edit(folders.rules + "/policies.yaml") { $0.replacingOccurrences(of: "from: \"22:00\"", with: "from: \"22 Uhr\"") }
            try folders.edit(folders.rules + "/topics.yaml") { $0 + "  - id: Falsch\n    name: Falsch\n" }
            let errors = reloader.reload()
            #expect(errors.contains { $0.hasPrefix(folders.rules + "/policies.yaml:") && $0.contains("quietHours[0].from") })
            #expect(errors.contains { $0.hasPrefix(folders.rules + "/topics.yaml:") && $0.contains("'Falsch' is not a slug") })
            #expect(gateway.reference.topic("clan-hochzeit") != nil, "the rules in force stay")
            #expect(gateway.engine.rules.policies.duplicateWindow == .seconds(7200))
        }
    }

    @Test("/metrics names the fingerprints of the Rules/ and Channels/ in force; a reload that changes a file replaces the series, a rejected one keeps it")
    func fingerprints() async throws {
        let folders = try Folders()
        defer { folders.root.remove() }
        try await TestGateway.withGateway { fixture in
            let reloader = ConfigurationReloader(gateway: fixture.gateway, folders: .init(rules: folders.rules, channels: folders.channels, environment: [:]))
            func series() -> [String] {
                fixture.gateway.metrics.emitToString().split(separator: "\n").map(String.init).filter { $0.hasPrefix("siko_configuration_info{") }
            }
            let first = try #require(reloader.recordFingerprints())
            #expect(series() == ["siko_configuration_info{rules=\"\(first.rules)\",channels=\"\(first.channels)\"} 1.0"])
            #expect(first.rules.count == 16 && first.rules != first.channels)

            try folders.edit(folders.rules + "/topics.yaml") { $0 + "  - id: clan-hochzeit\n    name: Clan-Hochzeit\n" }
            #expect(reloader.reload() == [])
            let second = try #require(fixture.gateway.configurationInfo.inForce)
            #expect(second.rules != first.rules && second.channels == first.channels)
            #expect(series() == ["siko_configuration_info{rules=\"\(second.rules)\",channels=\"\(first.channels)\"} 1.0"], "the old series is gone")

            try folders.edit(folders.rules + "/topics.yaml") { $0 + "  - id: Falsch\n    name: Falsch\n" }
            #expect(!reloader.reload().isEmpty)
            #expect(fixture.gateway.configurationInfo.inForce == second, "a rejected reload changes nothing in force")
        }
    }

    @Test("a broken template rejects the reload: channels stay as they were")
    func brokenTemplate() async throws {
        let folders = try Folders()
        defer { folders.root.remove() }
        try await TestGateway.withGateway { fixture in
            let reloader = ConfigurationReloader(gateway: fixture.gateway, folders: .init(rules: folders.rules, channels: folders.channels, environment: [:]))
            try folders.edit(folders.channels + "/templates/email.de.mustache") { $0.replacingOccurrences(of: "--- html ---", with: "") }
            let errors = reloader.reload()
            #expect(errors.count == 1)
            #expect(errors.first?.contains("email.de.mustache") == true)
            #expect(fixture.gateway.configuredChannels == [.webhook])
        }
    }

    @Test("channel sets replaced by reloads are let go once closed: after 40 reloads none is left")
    func retiredChannelsAreDropped() async throws {
        let folders = try Folders()
        defer { folders.root.remove() }
        for file in ["webhook", "email", "sms"] {
            try folders.edit(folders.channels + "/\(file).yaml") { text in
                text.replacingOccurrences(of: #"(?m)^timeout: .*$"#, with: "timeout: 1s", options: .regularExpression)
            }
        }
        try await TestGateway.withGateway { fixture in
            let reloader = ConfigurationReloader(gateway: fixture.gateway, folders: .init(rules: folders.rules, channels: folders.channels, environment: [:]))
            for _ in 0..<40 { #expect(reloader.reload() == []) }
            #expect(fixture.gateway.retiredChannelSets <= 40)
            // Each set closes 1 s (its timeout) + 5 s after its reload; allow a wide margin.
            let deadline = ContinuousClock.now + .seconds(60)
            while fixture.gateway.retiredChannelSets > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(fixture.gateway.retiredChannelSets == 0)
            #expect(reloader.reload() == [])
            #expect(fixture.gateway.retiredChannelSets == 1, "the set just replaced waits for its sends")
        }
    }
}
