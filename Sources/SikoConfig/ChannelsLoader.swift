import Foundation
import SikoModel
import Yams

/// Reads `Channels/webhook.yaml`, `email.yaml` and `sms.yaml`, expanding `${NAME}` from the environment.
public struct ChannelsLoader: Sendable {
    public let directory: String
    public let environment: [String: String]

    public init(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory
        self.environment = environment
    }

    public func load() throws(ConfigErrors) -> ChannelsConfiguration {
        let expander = EnvironmentExpander(environment: environment)
        let expand: (String) -> Result<String, EnvironmentExpander.Failure> = { expander.expand($0) }
        let webhookFile = YAMLFile(path: file("webhook.yaml"), expand: expand)
        let webhook = readSettings(webhookFile, extra: ["allowPrivateTargets", "dnsTimeout", "caFile"])
        var allow: [CIDR] = []
        if let mapping = webhookFile.root?.mapping, let node = mapping["allowPrivateTargets"] {
            allow = readCIDRs(node, file: webhookFile, mapping: mapping)
        }
        var dnsTimeout = OutboundPolicy.defaultDNSTimeout
        if let node = webhookFile.root?.mapping?["dnsTimeout"] {
            // A longer wait only holds a send slot for a name server that is not answering.
            if node.scalar == nil { webhookFile.fail(node, "dnsTimeout", "must be a single value such as 2s") }
            if let text = webhook?.options["dnsTimeout"] {
                if let value = DurationText.parse(text), value > .zero, value <= .seconds(60) { dnsTimeout = value } else {
                    webhookFile.fail(node, "dnsTimeout", "'\(text)' is not a duration from 1ms to 60s such as 2s")
                }
            }
        }
        if let text = webhook?.options["caFile"], !text.isEmpty, let node = webhookFile.root?.mapping?["caFile"],
           !FileManager.default.isReadableFile(atPath: text) {
            webhookFile.fail(node, "caFile", "'\(text)' is not a readable PEM file")
        }
        var errors = webhookFile.errors
        var optional: [ChannelKind: ChannelSettings] = [:]
        var smsAllow = OutboundPolicy.loopback
        for kind in [ChannelKind.email, .sms] {
            let path = file("\(kind.rawValue).yaml")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let yaml = YAMLFile(path: path, expand: expand)
            let settings = readSettings(yaml, extra: kind == .email ? Self.emailKeys : Self.smsKeys)
            if let settings, let mapping = yaml.root?.mapping {
                if kind == .email { checkEmail(settings, yaml, mapping) } else {
                    if let node = mapping["allowPrivateTargets"] { smsAllow = readCIDRs(node, file: yaml, mapping: mapping) }
                    checkSMS(settings, allowed: smsAllow, yaml, mapping)
                }
            }
            optional[kind] = settings
            errors += yaml.errors
        }
        guard errors.isEmpty, let webhook else { throw ConfigErrors(errors) }
        return ChannelsConfiguration(
            webhook: webhook, allowPrivateTargets: allow, email: optional[.email], sms: optional[.sms], smsAllowPrivateTargets: smsAllow,
            dnsTimeout: dnsTimeout
        )
    }

    private func file(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// `extra` names the channel-specific keys this channel knows; nil takes any scalar as an option.
    private func readSettings(_ file: YAMLFile, extra: Set<String>?) -> ChannelSettings? {
        guard let root = file.root else { return nil }
        let common: Set<String> = ["retrySchedule", "timeout", "concurrency", "perTargetConcurrency", "breakerThreshold", "breakerCooldown", "disableAfter"]
        let mapping: Node.Mapping?
        if let extra {
            mapping = file.mapping(root, field: "", allowed: common.union(extra))
        } else {
            mapping = root.mapping
            if mapping == nil { file.fail(root, "", "must be a mapping") }
        }
        guard let mapping else { return nil }
        var settings = ChannelSettings()
        if let delays = file.stringList(mapping, "retrySchedule", field: "retrySchedule") {
            var parsed: [Duration] = []
            for (index, (text, node)) in delays.enumerated() {
                if let delay = DurationText.parse(text) { parsed.append(delay) } else {
                    file.fail(node, "retrySchedule[\(index)]", "'\(text)' is not a duration such as 0s, 5s, 5m, 2h")
                }
            }
            if delays.isEmpty { file.fail(mapping["retrySchedule"], "retrySchedule", "needs at least one entry") }
            settings.retrySchedule = RetrySchedule(delays: parsed)
        }
        if let text = file.string(mapping, "timeout", field: "timeout") {
            if let timeout = DurationText.parse(text), timeout > .zero { settings.timeout = timeout } else {
                file.fail(mapping["timeout"], "timeout", "'\(text)' is not a positive duration such as 10s")
            }
        }
        if let text = file.string(mapping, "concurrency", field: "concurrency") {
            if let value = Int(text), (1...10_000).contains(value) { settings.concurrency = value } else {
                file.fail(mapping["concurrency"], "concurrency", "'\(text)' must be a whole number from 1 to 10000")
            }
        }
        if let text = file.string(mapping, "perTargetConcurrency", field: "perTargetConcurrency", required: false) {
            if let value = Int(text), (1...10_000).contains(value) { settings.perTargetConcurrency = value } else {
                file.fail(mapping["perTargetConcurrency"], "perTargetConcurrency", "'\(text)' must be a whole number from 1 to 10000")
            }
        }
        if let text = file.string(mapping, "breakerThreshold", field: "breakerThreshold", required: false) {
            if let value = Int(text), (1...1000).contains(value) { settings.breaker.threshold = value } else {
                file.fail(mapping["breakerThreshold"], "breakerThreshold", "'\(text)' must be a whole number from 1 to 1000")
            }
        }
        if let text = file.string(mapping, "breakerCooldown", field: "breakerCooldown", required: false) {
            if let value = DurationText.parse(text), value > .zero { settings.breaker.cooldown = value } else {
                file.fail(mapping["breakerCooldown"], "breakerCooldown", "'\(text)' is not a positive duration such as 30s")
            }
        }
        if let text = file.string(mapping, "disableAfter", field: "disableAfter", required: false) {
            if let value = DurationText.parse(text), value > .zero { settings.disableAfter = value } else {
                file.fail(mapping["disableAfter"], "disableAfter", "'\(text)' is not a positive duration such as 5d")
            }
        }
        for (key, value) in mapping where !common.contains(key.string ?? "") {
            guard let name = key.string, extra?.contains(name) ?? true, value.scalar != nil else { continue }
            if let text = file.string(mapping, name, field: name) { settings.options[name] = text }
        }
        return settings
    }

    static let emailKeys: Set<String> = ["url", "from", "user", "password", "starttls", "caFile", "publicURL", "ratePerSecond"]

    /// The email values the adapter relies on, checked here so a mistake names its line.
    private func checkEmail(_ settings: ChannelSettings, _ file: YAMLFile, _ mapping: Node.Mapping) {
        let url = settings.options["url"] ?? ""
        if !(url.hasPrefix("smtp://") || url.hasPrefix("smtps://")) {
            file.fail(mapping["url"] ?? .mapping(mapping), "url", "'\(url)' must be smtp://host:port or smtps://host:port")
        }
        let startTLS = settings.options["starttls"] ?? "required"
        if !["required", "opportunistic", "off"].contains(startTLS) {
            file.fail(mapping["starttls"], "starttls", "'\(startTLS)' must be required, opportunistic or off")
        }
        checkRate(settings, file, mapping)
        let from = settings.options["from"] ?? ""
        if !Self.isMailbox(from) {
            file.fail(mapping["from"] ?? .mapping(mapping), "from", "'\(from)' is not an address such as SiKo Ruhr <alarm@example.org>")
        }
    }

    static let smsKeys: Set<String> = ["url", "user", "password", "from", "publicURL", "maxSegments", "ratePerSecond", "allowPrivateTargets"]

    private func checkSMS(_ settings: ChannelSettings, allowed: [CIDR], _ file: YAMLFile, _ mapping: Node.Mapping) {
        let url = settings.options["url"] ?? ""
        if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            file.fail(mapping["url"] ?? .mapping(mapping), "url", "'\(url)' must be the gateway's http(s) sendsms URL")
        }
        if (settings.options["from"] ?? "").isEmpty {
            file.fail(mapping["from"] ?? .mapping(mapping), "from", "is required (the sender name or number)")
        }
        if let host = URLComponents(string: url)?.host, let address = IPAddress(host), !OutboundPolicy(allowed: allowed).permits(address) {
            file.fail(mapping["url"], "url", "\(host) is private or loopback and not in allowPrivateTargets")
        }
        if let text = settings.options["maxSegments"], !(Int(text).map { (1...10).contains($0) } ?? false) {
            file.fail(mapping["maxSegments"], "maxSegments", "'\(text)' must be a whole number from 1 to 10")
        }
        checkRate(settings, file, mapping)
    }

    private func checkRate(_ settings: ChannelSettings, _ file: YAMLFile, _ mapping: Node.Mapping) {
        if let rate = settings.options["ratePerSecond"], !rate.isEmpty, (Double(rate) ?? -1) < 0 {
            file.fail(mapping["ratePerSecond"], "ratePerSecond", "'\(rate)' must be a number of messages per second (0 for no limit)")
        }
    }

    private static func isMailbox(_ text: String) -> Bool {
        let address = text.split(separator: "<").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? text
        return TargetRules.isEmailAddress(address)
    }

    private func readCIDRs(_ node: Node, file: YAMLFile, mapping: Node.Mapping) -> [CIDR] {
        let entries: [(String, Node)]
        if node.scalar != nil {
            // One string, comma-separated, as `${SIKO_WEBHOOK_ALLOW:-}` or `${SIKO_SMS_ALLOW:-…}` gives it.
            guard let text = file.string(mapping, "allowPrivateTargets", field: "allowPrivateTargets") else { return [] }
            entries = text.split(separator: ",").map { (String($0).trimmingCharacters(in: .whitespaces), node) }
        } else {
            entries = file.stringList(mapping, "allowPrivateTargets", field: "allowPrivateTargets") ?? []
        }
        var result: [CIDR] = []
        for (index, (text, item)) in entries.enumerated() where !text.isEmpty {
            if let cidr = CIDR(text) { result.append(cidr) } else {
                file.fail(item, "allowPrivateTargets[\(index)]", "'\(text)' is not a CIDR such as 127.0.0.0/8")
            }
        }
        return result
    }
}
