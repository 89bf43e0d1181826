import SikoModel
import Yams

/// Readers of the values more than one channel file has.
extension YAMLFile {
    /// An optional single value; empty counts as absent, as `${NAME:-}` gives it when NAME is unset.
    func text(_ mapping: Node.Mapping, _ key: String) -> String? {
        string(mapping, key, field: key, required: false).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `publicURL` as links; nil leaves the default.
    func links(_ mapping: Node.Mapping) -> Links? {
        text(mapping, "publicURL").map(Links.init(publicURL:))
    }

    /// `ratePerSecond`: nil for no limit, as absent or 0 say it.
    func rate(_ mapping: Node.Mapping) -> Double? {
        guard let text = text(mapping, "ratePerSecond") else { return nil }
        guard let rate = Double(text), !(rate < 0) else {
            fail(mapping["ratePerSecond"], "ratePerSecond", "'\(text)' must be a number of messages per second (0 for no limit)")
            return nil
        }
        return rate > 0 ? rate : nil
    }

    /// `allowPrivateTargets`: a list, or one comma-separated string as `${SIKO_WEBHOOK_ALLOW:-}` gives it.
    func cidrs(_ node: Node, in mapping: Node.Mapping) -> [CIDR] {
        let entries: [(String, Node)]
        if node.scalar != nil {
            guard let text = string(mapping, "allowPrivateTargets", field: "allowPrivateTargets") else { return [] }
            entries = text.split(separator: ",").map { (String($0).trimmingCharacters(in: .whitespaces), node) }
        } else {
            entries = stringList(mapping, "allowPrivateTargets", field: "allowPrivateTargets") ?? []
        }
        var result: [CIDR] = []
        for (index, (text, item)) in entries.enumerated() where !text.isEmpty {
            if let cidr = CIDR(text) { result.append(cidr) } else {
                fail(item, "allowPrivateTargets[\(index)]", "'\(text)' is not a CIDR such as 127.0.0.0/8")
            }
        }
        return result
    }

    /// Runs `read` and answers its value only when it reported no error.
    func checked<Value>(_ read: () -> Value?) -> Value? {
        let before = errors.count
        let value = read()
        return errors.count == before ? value : nil
    }
}
