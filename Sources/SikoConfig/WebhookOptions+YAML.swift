import Foundation
import SikoModel
import Yams

extension WebhookOptions {
    static let keys: Set<String> = ["allowPrivateTargets", "dnsTimeout", "caFile"]

    static func read(_ file: YAMLFile, _ mapping: Node.Mapping) -> WebhookOptions? {
        file.checked {
            var options = WebhookOptions()
            if let node = mapping["allowPrivateTargets"] { options.allowPrivateTargets = file.cidrs(node, in: mapping) }
            if let node = mapping["dnsTimeout"] {
                if node.scalar == nil {
                    file.fail(node, "dnsTimeout", "must be a single value such as 2s")
                } else if let text = file.string(mapping, "dnsTimeout", field: "dnsTimeout") {
                    // A longer wait only holds a send slot for a name server that is not answering.
                    if let value = DurationText.parse(text), value > .zero, value <= .seconds(60) { options.dnsTimeout = value } else {
                        file.fail(node, "dnsTimeout", "'\(text)' is not a duration from 1ms to 60s such as 2s")
                    }
                }
            }
            if let path = file.text(mapping, "caFile") {
                if FileManager.default.isReadableFile(atPath: path) { options.caFile = path } else {
                    file.fail(mapping["caFile"], "caFile", "'\(path)' is not a readable PEM file")
                }
            }
            return options
        }
    }
}
