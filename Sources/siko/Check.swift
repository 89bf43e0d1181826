import ArgumentParser
import Foundation
import SikoChannels
import SikoConfig

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate Rules/ and Channels/; lists every error as file:line: field: message.")

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        var errors: [ConfigError] = []
        var summary: [String] = []
        do {
            let reference = try RulesLoader(directory: config.rules).load()
            summary.append("\(reference.areas.count) areas, \(reference.topics.count) topics, \(reference.partners.count) partners")
        } catch {
            errors += error.errors
        }
        do {
            let channels = try ChannelsLoader(directory: config.channels).load()
            summary.append("webhook retries \(channels.webhook.retrySchedule.maxAttempts) times")
            if channels.email != nil {
                summary.append("email templates de, en")
            }
        } catch {
            errors += error.errors
        }
        var lines = errors.map(\.description)
        do {
            _ = try EmailTemplates.load(directory: (config.channels as NSString).appendingPathComponent("templates"))
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
