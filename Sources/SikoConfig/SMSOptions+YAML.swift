import Foundation
import SikoModel
import Yams

extension SMSOptions {
    static let keys: Set<String> = ["url", "user", "password", "from", "publicURL", "maxSegments", "ratePerSecond", "allowPrivateTargets"]

    static func read(_ file: YAMLFile, _ mapping: Node.Mapping) -> SMSOptions? {
        file.checked {
            let url = file.string(mapping, "url", field: "url", required: false) ?? ""
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                file.fail(mapping["url"] ?? .mapping(mapping), "url", "'\(url)' must be the gateway's http(s) sendsms URL")
            }
            let from = file.string(mapping, "from", field: "from", required: false) ?? ""
            if from.isEmpty {
                file.fail(mapping["from"] ?? .mapping(mapping), "from", "is required (the sender name or number)")
            }
            var options = SMSOptions(url: url, from: from)
            if let node = mapping["allowPrivateTargets"] { options.allowPrivateTargets = file.cidrs(node, in: mapping) }
            if let host = URLComponents(string: url)?.host, let address = IPAddress(host), !options.outbound.permits(address) {
                file.fail(mapping["url"], "url", "\(host) is private or loopback and not in allowPrivateTargets")
            }
            if let text = file.string(mapping, "maxSegments", field: "maxSegments", required: false) {
                if let value = Int(text), (1...10).contains(value) { options.maxSegments = value } else {
                    file.fail(mapping["maxSegments"], "maxSegments", "'\(text)' must be a whole number from 1 to 10")
                }
            }
            if let user = file.text(mapping, "user") { options.user = user }
            if let password = file.text(mapping, "password") { options.password = password }
            if let links = file.links(mapping) { options.links = links }
            options.ratePerSecond = file.rate(mapping)
            return options
        }
    }
}
