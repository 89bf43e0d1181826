import SikoCore
import ArgumentParser
import Foundation
import SikoChannels
import SikoConfig
import SikoModel

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate Rules/ and Channels/; lists every error as file:line: field: message.")

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        var errors: [ConfigError] = []
        var summary: [String] = []
        do {
            let rules = try RulesLoader(directory: config.rules).load()
            let reference = rules.reference, policies = rules.policies
            summary.append("\(reference.areas.count) areas, \(reference.topics.count) topics, \(reference.partners.count) partners")
            summary.append(
                "\(policies.quietHours.count) quiet-hours rules, duplicates "
                    + (policies.duplicateWindow.map { "within " + DurationText.format($0) } ?? "off")
                    + ", flood limits on " + (policies.floodLimits.isEmpty ? "none" : policies.floodLimits.keys.map(\.rawValue).sorted().joined(separator: ", "))
            )
        } catch {
            errors += error.errors
        }
        do {
            let channels = try ChannelsLoader(directory: config.channels).load()
            summary.append("webhook retries \(channels.webhook.retrySchedule.maxAttempts) times")
            summary.append("channels " + ["webhook", channels.email.map { _ in "email" }, channels.sms.map { _ in "sms" }].compactMap { $0 }.joined(separator: ", "))
        } catch {
            errors += error.errors
        }
        var lines = errors.map(\.description)
        let templates = (config.channels as NSString).appendingPathComponent("templates")
        do {
            _ = try EmailTemplates.load(directory: templates)
        } catch {
            lines.append(error.description)
        }
        do {
            _ = try SMSTemplates.load(directory: templates)
        } catch {
            lines.append(error.description)
        }
        guard lines.isEmpty else {
            for line in lines { print(line) }
            throw ExitCode(1)
        }
        print("ok: " + summary.joined(separator: "; "))
    }
}
