import Foundation
import Logging
import ServiceLifecycle
import SikoChannels
import SikoConfig
import SikoModel
import UnixSignals

/// Reloads `Rules/` and `Channels/` on SIGHUP. Every file is read and checked before anything
/// changes; one bad file rejects the whole reload, keeps the rules in force and logs each error
/// as `file:line: field: message`.
public final class ConfigurationReloader: Service {
    public struct Folders: Sendable {
        public var rules: String
        public var channels: String
        public var environment: [String: String]

        public init(rules: String, channels: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.rules = rules
            self.channels = channels
            self.environment = environment
        }

        public var templates: String { (channels as NSString).appendingPathComponent("templates") }
    }

    private let gateway: Gateway
    private let folders: Folders

    public init(gateway: Gateway, folders: Folders) {
        self.gateway = gateway
        self.folders = folders
    }

    /// Reads both folders and puts them in force; answers the errors that rejected it (empty when it took).
    @discardableResult
    public func reload() -> [String] {
        let logger = gateway.logger
        var errors: [String] = []
        var rules: RuleSet?
        var channels: ChannelsConfiguration?
        do { rules = try RulesLoader(directory: folders.rules).load() } catch { errors += error.errors.map(\.description) }
        do {
            channels = try ChannelsLoader(directory: folders.channels, environment: folders.environment).load()
        } catch {
            errors += error.errors.map(\.description)
        }
        if let rules, let channels {
            do {
                try gateway.reload(rules: rules, channelSettings: channels, templates: folders.templates)
            } catch {
                errors.append("\(error)")
            }
        }
        if errors.isEmpty {
            let fingerprints = recordFingerprints()
            logger.notice("reloaded Rules/ and Channels/", metadata: [
                "areas": "\(rules?.reference.areas.count ?? 0)", "topics": "\(rules?.reference.topics.count ?? 0)",
                "quietHours": "\(rules?.policies.quietHours.count ?? 0)", "channels": "\(gateway.configuredChannels.map(\.rawValue).sorted())",
                "rulesFingerprint": "\(fingerprints?.rules ?? "?")", "channelsFingerprint": "\(fingerprints?.channels ?? "?")",
            ])
        } else {
            logger.error("reload rejected; the rules in force stay", metadata: ["errors": "\(errors.count)"])
            for error in errors { logger.error("reload: \(error)") }
        }
        return errors
    }

    /// Puts the fingerprints of both folders on `/metrics` and answers them; nil (and a warning)
    /// when a folder cannot be read.
    @discardableResult
    public func recordFingerprints() -> ConfigurationInfo.Fingerprints? {
        do {
            let fingerprints = ConfigurationInfo.Fingerprints(
                rules: try ConfigurationFingerprint.of(folder: folders.rules), channels: try ConfigurationFingerprint.of(folder: folders.channels)
            )
            gateway.configurationInfo.record(fingerprints)
            return fingerprints
        } catch {
            gateway.logger.warning("could not read Rules/ or Channels/ for their fingerprints", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            reload()
        }
    }
}
