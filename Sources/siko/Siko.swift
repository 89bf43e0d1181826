import SikoCore
import ArgumentParser
import Foundation
import SikoConfig

@main
struct Siko: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siko",
        abstract: "SiKo Gateway: events in, notifications out (Sicherheitskooperation Ruhr).",
        subcommands: [Serve.self, Keys.self, Users.self, Check.self, Explain.self, Deliveries.self, Audit.self, Purge.self, StoreCommands.self]
    )
}

/// Options every command that reads configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(help: "The folder with areas.yaml, topics.yaml, partners.yaml and policies.yaml.")
    var rules = "Rules"

    @Option(help: "The folder with webhook.yaml, email.yaml, sms.yaml and templates/.")
    var channels = "Channels"
}

struct DataOptions: ParsableArguments {
    @Option(help: "The data folder; the store is DIR/siko.sqlite unless --database names another.")
    var data = "./data"

    @Option(help: "The store as a URL: sqlite:PATH (default: sqlite:DIR/siko.sqlite from --data). Also SIKO_DATABASE_URL.")
    var database: String?

    /// `--database`, else `SIKO_DATABASE_URL`, else the data folder's file.
    func location() throws -> StoreLocation {
        guard let url = database ?? ProcessInfo.processInfo.environment["SIKO_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return StoreLocation(dataFolder: data)
        }
        do { return try StoreLocation(url: url) } catch { throw ValidationError(error.description) }
    }

    func validate() throws { _ = try location() }
}
