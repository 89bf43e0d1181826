import SikoModel
import Yams

extension EmailOptions {
    static let keys: Set<String> = ["url", "from", "user", "password", "starttls", "caFile", "publicURL", "ratePerSecond"]

    static func read(_ file: YAMLFile, _ mapping: Node.Mapping) -> EmailOptions? {
        file.checked {
            let url = file.string(mapping, "url", field: "url", required: false) ?? ""
            if !(url.hasPrefix("smtp://") || url.hasPrefix("smtps://")) {
                file.fail(mapping["url"] ?? .mapping(mapping), "url", "'\(url)' must be smtp://host:port or smtps://host:port")
            }
            let fromText = file.string(mapping, "from", field: "from", required: false) ?? ""
            let from = Mailbox(parsing: fromText)
            if from == nil {
                file.fail(mapping["from"] ?? .mapping(mapping), "from", "'\(fromText)' is not an address such as SiKo Ruhr <alarm@example.org>")
            }
            var startTLS: StartTLS?
            if let text = file.string(mapping, "starttls", field: "starttls", required: false) {
                startTLS = StartTLS(rawValue: text)
                if startTLS == nil { file.fail(mapping["starttls"], "starttls", "'\(text)' must be required, opportunistic or off") }
            }
            let user = file.text(mapping, "user"), password = file.text(mapping, "password"), caFile = file.text(mapping, "caFile")
            let rate = file.rate(mapping), links = file.links(mapping)
            guard var options = from.map({ EmailOptions(url: url, from: $0) }) else { return nil }
            if let startTLS { options.startTLS = startTLS }
            if let links { options.links = links }
            (options.user, options.password, options.caFile, options.ratePerSecond) = (user, password, caFile, rate)
            return options
        }
    }
}
