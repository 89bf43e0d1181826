import SikoChannels
import SikoConfig
import SikoModel

extension EmailChannel.Settings {
    /// From the values of `Channels/email.yaml` (already checked by `ChannelsLoader`).
    init(options settings: ChannelSettings) throws {
        let options = settings.options.filter { !$0.value.isEmpty }
        guard let url = options["url"], let from = options["from"].flatMap(Mailbox.init(parsing:)) else {
            throw ConfigErrors([ConfigError(file: "email.yaml", line: nil, field: "url/from", message: "missing")])
        }
        self.init(
            smtp: SMTPSettings(
                url: url, startTLS: options["starttls"].flatMap(SMTPSettings.StartTLS.init(rawValue:)) ?? .required,
                user: options["user"], password: options["password"], caFile: options["caFile"], timeout: settings.timeout
            ),
            from: from, concurrency: settings.concurrency, links: Links(publicURL: options["publicURL"] ?? Links.defaultPublicURL),
            ratePerSecond: options["ratePerSecond"].flatMap(Double.init)
        )
    }
}
