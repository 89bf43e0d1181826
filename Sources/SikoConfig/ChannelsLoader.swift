import Foundation
import SikoModel
import Yams

/// Reads `Channels/webhook.yaml`, `email.yaml` and `sms.yaml`, expanding `${NAME}` from the
/// environment, into typed settings: every value is checked here, so a mistake names its file,
/// line and field, and the channels take the values as they are.
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
        let webhook = read(webhookFile, keys: WebhookOptions.keys, options: WebhookOptions.read)
        var errors = webhookFile.errors
        // Email and SMS are optional: a missing file leaves the channel out.
        func optional<Options>(_ name: String, keys: Set<String>, options: (YAMLFile, Node.Mapping) -> Options?) -> ChannelSettings<Options>? {
            let path = file(name)
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            let yaml = YAMLFile(path: path, expand: expand)
            defer { errors += yaml.errors }
            return read(yaml, keys: keys, options: options)
        }
        let email = optional("email.yaml", keys: EmailOptions.keys, options: EmailOptions.read)
        let sms = optional("sms.yaml", keys: SMSOptions.keys, options: SMSOptions.read)
        guard errors.isEmpty, let webhook else { throw ConfigErrors(errors) }
        return ChannelsConfiguration(webhook: webhook, email: email, sms: sms)
    }

    private func file(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    private static let commonKeys: Set<String> = [
        "retrySchedule", "timeout", "concurrency", "perTargetConcurrency", "breakerThreshold", "breakerCooldown", "disableAfter",
    ]

    /// The settings every channel has, then the channel's own `keys` read by `options`; nil when
    /// the file is not a mapping or its own values are wrong (each one reported to `file`).
    private func read<Options>(
        _ file: YAMLFile, keys: Set<String>, options: (YAMLFile, Node.Mapping) -> Options?
    ) -> ChannelSettings<Options>? {
        guard let root = file.root, let mapping = file.mapping(root, field: "", allowed: Self.commonKeys.union(keys)) else { return nil }
        let common = readCommon(file, mapping)
        return options(file, mapping).map { common.with(options: $0) }
    }

    private func readCommon(_ file: YAMLFile, _ mapping: Node.Mapping) -> ChannelSettings<Unread> {
        var settings = ChannelSettings(options: Unread())
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
        return settings
    }
}

/// The common settings before the channel's own values are read beside them.
private struct Unread: Sendable, Equatable {}

extension ChannelSettings {
    fileprivate func with<Other>(options: Other) -> ChannelSettings<Other> {
        ChannelSettings<Other>(
            retrySchedule: retrySchedule, timeout: timeout, concurrency: concurrency, perTargetConcurrency: perTargetConcurrency,
            breaker: breaker, disableAfter: disableAfter, options: options
        )
    }
}
