import Foundation
import SikoModel
import Yams

/// Reads `Rules/policies.yaml`: quiet hours, duplicates, flood limits, classification. Every
/// section is optional; an empty file means no policy holds anything back.
struct PoliciesLoader {
    let file: YAMLFile
    let partners: Set<String>

    func load() -> Policies {
        guard let root = file.root else { return .standard }
        if case .scalar(let scalar) = root, scalar.string.isEmpty { return .standard }
        guard let mapping = file.mapping(root, field: "", allowed: ["quietHours", "duplicates", "floodLimits", "classification"]) else {
            return .standard
        }
        var policies = Policies()
        if let node = mapping["quietHours"] { policies.quietHours = readQuietHours(node) }
        if let node = mapping["duplicates"], let duplicates = file.mapping(node, field: "duplicates", allowed: ["window"]) {
            policies.duplicateWindow = duration(duplicates, "window", field: "duplicates.window")
        }
        if let node = mapping["floodLimits"] { policies.floodLimits = readFloodLimits(node) }
        if let node = mapping["classification"] { policies.classification = readClassification(node) }
        return policies
    }

    private func sequence(_ node: Node, field: String) -> [Node] {
        guard let items = node.sequence else {
            file.fail(node, field, "must be a list")
            return []
        }
        return Array(items)
    }

    private func readQuietHours(_ node: Node) -> [QuietHoursRule] {
        var rules: [QuietHoursRule] = []
        var names: Set<String> = []
        let allowed: Set<String> = ["name", "from", "until", "below", "channels", "partners", "subscriptions"]
        for (index, item) in sequence(node, field: "quietHours").enumerated() {
            let field = "quietHours[\(index)]"
            guard let mapping = file.mapping(item, field: field, allowed: allowed) else { continue }
            let name = file.string(mapping, "name", field: "\(field).name")
            if let name, !names.insert(name).inserted { file.fail(mapping["name"], "\(field).name", "duplicate rule '\(name)'") }
            let from = time(mapping, "from", field: "\(field).from")
            let until = time(mapping, "until", field: "\(field).until")
            if let from, let until, from == until {
                file.fail(mapping["until"], "\(field).until", "equals 'from': the quiet period would be empty")
            }
            let below = urgency(mapping, "below", field: "\(field).below")
            var channels: [ChannelKind: QuietHoursRule.Mode] = [:]
            if let channelsNode = mapping["channels"] {
                for (kind, text, node, modeField) in perChannel(channelsNode, field: "\(field).channels") {
                    if let mode = QuietHoursRule.Mode(rawValue: text) { channels[kind] = mode } else if text != "never" {
                        file.fail(node, modeField, "'\(text)' must be defer, suppress or never")
                    }
                }
            } else {
                file.fail(.mapping(mapping), "\(field).channels", "is required (for example sms: defer)")
            }
            let partners = file.stringList(mapping, "partners", field: "\(field).partners", required: false) ?? []
            for (offset, (partner, partnerNode)) in partners.enumerated() where !self.partners.contains(partner) {
                file.fail(partnerNode, "\(field).partners[\(offset)]", "unknown partner '\(partner)'")
            }
            let subscriptions = file.stringList(mapping, "subscriptions", field: "\(field).subscriptions", required: false) ?? []
            for (offset, (id, idNode)) in subscriptions.enumerated() where !id.hasPrefix("sub_") {
                file.fail(idNode, "\(field).subscriptions[\(offset)]", "'\(id)' is not a subscription id (sub_…)")
            }
            if let name, let from, let until, let below {
                rules.append(QuietHoursRule(
                    name: name, from: from, until: until, below: below, channels: channels,
                    partners: Set(partners.map(\.0)), subscriptions: Set(subscriptions.map(\.0))
                ))
            }
        }
        return rules
    }

    private func readFloodLimits(_ node: Node) -> [ChannelKind: FloodLimit] {
        var limits: [ChannelKind: FloodLimit] = [:]
        for (index, item) in sequence(node, field: "floodLimits").enumerated() {
            let field = "floodLimits[\(index)]"
            guard let mapping = file.mapping(item, field: field, allowed: ["channel", "max", "per"]) else { continue }
            let channel = file.string(mapping, "channel", field: "\(field).channel").flatMap { text -> ChannelKind? in
                if let kind = ChannelKind(rawValue: text) { return kind }
                file.fail(mapping["channel"], "\(field).channel", "'\(text)' must be email, sms or webhook")
                return nil
            }
            let max = file.string(mapping, "max", field: "\(field).max").flatMap { text -> Int? in
                if let value = Int(text), (1...100_000).contains(value) { return value }
                file.fail(mapping["max"], "\(field).max", "'\(text)' must be a whole number from 1 to 100000")
                return nil
            }
            let per = duration(mapping, "per", field: "\(field).per")
            guard let channel, let max, let per else { continue }
            if limits[channel] != nil {
                file.fail(mapping["channel"], "\(field).channel", "a limit for \(channel.rawValue) is already set above")
            }
            limits[channel] = FloodLimit(channel: channel, max: max, per: per)
        }
        return limits
    }

    private func readClassification(_ node: Node) -> ClassificationRule {
        var rule = ClassificationRule.standard
        guard let mapping = file.mapping(node, field: "classification", allowed: ["restricted", "fullContentNetworks"]) else { return rule }
        if let restrictedNode = mapping["restricted"] {
            for (kind, text, node, field) in perChannel(restrictedNode, field: "classification.restricted") {
                guard let treatment = ClassificationRule.Treatment(rawValue: text) else {
                    file.fail(node, field, "'\(text)' must be full, teaser or suppress")
                    continue
                }
                if treatment == .full, kind != .webhook {
                    file.fail(node, field, "VS-NfD content is never sent in clear over \(kind.rawValue): use teaser or suppress")
                    continue
                }
                rule.restricted[kind] = treatment
            }
        }
        for (index, (text, item)) in (file.stringList(mapping, "fullContentNetworks", field: "classification.fullContentNetworks", required: false) ?? []).enumerated() {
            if let cidr = CIDR(text) { rule.fullContentNetworks.append(cidr) } else {
                file.fail(item, "classification.fullContentNetworks[\(index)]", "'\(text)' is not a CIDR such as 10.20.0.0/16")
            }
        }
        return rule
    }

    /// A mapping from channel names to one word each (`sms: defer`), unknown channels reported.
    private func perChannel(_ node: Node, field: String) -> [(ChannelKind, String, Node?, String)] {
        guard let mapping = file.mapping(node, field: field, allowed: Set(ChannelKind.allCases.map(\.rawValue))) else { return [] }
        return mapping.compactMap { key, _ in
            guard let name = key.string, let kind = ChannelKind(rawValue: name),
                  let text = file.string(mapping, name, field: "\(field).\(name)") else { return nil }
            return (kind, text, mapping[name], "\(field).\(name)")
        }
    }

    private func time(_ mapping: Node.Mapping, _ key: String, field: String) -> TimeOfDay? {
        guard let text = file.string(mapping, key, field: field) else { return nil }
        if let time = TimeOfDay(text) { return time }
        file.fail(mapping[key], field, "'\(text)' is not a time such as \"22:00\" (quote it)")
        return nil
    }

    private func urgency(_ mapping: Node.Mapping, _ key: String, field: String) -> Urgency? {
        guard let text = file.string(mapping, key, field: field) else { return nil }
        if let urgency = Urgency(rawValue: text), urgency != .low { return urgency }
        file.fail(mapping[key], field, "'\(text)' must be medium, high or critical (the urgencies below it are held back)")
        return nil
    }

    private func duration(_ mapping: Node.Mapping, _ key: String, field: String) -> Duration? {
        guard let text = file.string(mapping, key, field: field) else { return nil }
        if let duration = DurationText.parse(text), duration > .zero { return duration }
        file.fail(mapping[key], field, "'\(text)' is not a positive duration such as 30m or 1h")
        return nil
    }
}
