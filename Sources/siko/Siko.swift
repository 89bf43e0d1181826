import ArgumentParser

@main
struct Siko: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siko",
        abstract: "SiKo Gateway: events in, notifications out (Sicherheitskooperation Ruhr).",
        subcommands: [Serve.self, Keys.self, Check.self, Explain.self, Deliveries.self, Audit.self, Purge.self]
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
    @Option(help: "The data folder; the store is DIR/siko.sqlite.")
    var data = "./data"
}
