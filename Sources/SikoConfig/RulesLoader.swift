import Foundation
import SikoModel
import Yams

/// Reads `Rules/areas.yaml`, `Rules/topics.yaml`, `Rules/partners.yaml` and `Rules/policies.yaml`,
/// or reports every error in every file with file, line and field.
public struct RulesLoader: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func load() throws(ConfigErrors) -> RuleSet {
        let areasFile = YAMLFile(path: file("areas.yaml"))
        let topicsFile = YAMLFile(path: file("topics.yaml"))
        let partnersFile = YAMLFile(path: file("partners.yaml"))
        let areas = readAreas(areasFile)
        let topics = readTopics(topicsFile)
        let capTopics = readCAPTopics(topicsFile, topics: Set(topics.map(\.id)))
        let tree = try? AreaTree(areas)
        let partners = readPartners(partnersFile, areas: Set(areas.map(\.id)))
        let policiesFile = YAMLFile(path: file("policies.yaml"))
        let policies = PoliciesLoader(file: policiesFile, partners: Set(partners.map(\.id))).load()
        let errors = areasFile.errors + topicsFile.errors + partnersFile.errors + policiesFile.errors
        guard errors.isEmpty, let tree else { throw ConfigErrors(errors) }
        return RuleSet(reference: ReferenceData(areas: tree, topics: topics, partners: partners, capTopics: capTopics), policies: policies)
    }

    private func file(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    private func readAreas(_ file: YAMLFile) -> [Area] {
        var areas: [Area] = []
        var seen: Set<String> = []
        var seenAGS: Set<String> = []
        for (index, node) in file.topLevelList("areas") {
            let field = "areas[\(index)]"
            guard let mapping = file.mapping(node, field: field, allowed: ["id", "name", "kind", "parent", "ags", "point"]) else { continue }
            let id = file.string(mapping, "id", field: "\(field).id")
            let name = file.string(mapping, "name", field: "\(field).name")
            let kindText = file.string(mapping, "kind", field: "\(field).kind")
            let parent = file.string(mapping, "parent", field: "\(field).parent", required: false)
            let ags = file.string(mapping, "ags", field: "\(field).ags", required: false)
            let pointText = file.string(mapping, "point", field: "\(field).point", required: false)
            let point = pointText.flatMap { GeoPoint($0) }
            if let pointText, point == nil {
                file.fail(mapping["point"], "\(field).point", "'\(pointText)' is not a point: latitude,longitude in WGS 84 degrees, such as \"51.4583,7.0146\"")
            }
            var valid = id != nil && name != nil
            if let id {
                if !Slug.isValid(id) { file.fail(mapping["id"], "\(field).id", "'\(id)' is not a slug (a-z, 0-9, single hyphens)"); valid = false }
                if !seen.insert(id).inserted { file.fail(mapping["id"], "\(field).id", "duplicate area '\(id)'"); valid = false }
            }
            let kind = kindText.flatMap(Area.Kind.init(rawValue:))
            if kindText != nil, kind == nil {
                file.fail(mapping["kind"], "\(field).kind", "must be one of \(Area.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let parent, !seen.contains(parent) {
                file.fail(mapping["parent"], "\(field).parent", "unknown area '\(parent)' (a parent must be listed before its children)")
                valid = false
            }
            if parent == nil, kind != .region, kind != nil {
                file.fail(mapping["kind"], "\(field).parent", "is required for a \(kind!.rawValue)")
            }
            if let ags {
                if ags.isEmpty || !ags.allSatisfy({ $0.isASCII && $0.isNumber }) || ags.count > 12 {
                    file.fail(mapping["ags"], "\(field).ags", "'\(ags)' is not an official key (digits only; quote it to keep leading zeros)")
                } else if !seenAGS.insert(ags).inserted {
                    file.fail(mapping["ags"], "\(field).ags", "duplicate key '\(ags)'")
                }
            }
            if valid, let id, let name, let kind {
                areas.append(Area(id: id, name: name, kind: kind, parent: parent, ags: ags, point: point))
            }
        }
        return areas
    }

    private func readTopics(_ file: YAMLFile) -> [Topic] {
        var topics: [Topic] = []
        var seen: Set<String> = []
        for (index, node) in file.topLevelList("topics") {
            let field = "topics[\(index)]"
            guard let mapping = file.mapping(node, field: field, allowed: ["id", "name", "nameEn", "description"]) else { continue }
            guard let id = file.string(mapping, "id", field: "\(field).id"),
                  let name = file.string(mapping, "name", field: "\(field).name") else { continue }
            if !Slug.isValid(id) { file.fail(mapping["id"], "\(field).id", "'\(id)' is not a slug (a-z, 0-9, single hyphens)"); continue }
            if !seen.insert(id).inserted { file.fail(mapping["id"], "\(field).id", "duplicate topic '\(id)'"); continue }
            topics.append(Topic(
                id: id, name: name, nameEn: file.string(mapping, "nameEn", field: "\(field).nameEn", required: false),
                description: file.string(mapping, "description", field: "\(field).description", required: false)
            ))
        }
        return topics
    }

    /// `cap:` in topics.yaml: `- event: Razzia` or `- category: Security`, each with a `topic`.
    private func readCAPTopics(_ file: YAMLFile, topics: Set<String>) -> [CAPTopicRule] {
        var rules: [CAPTopicRule] = []
        for (index, node) in file.topLevelList("cap", required: false) {
            let field = "cap[\(index)]"
            guard let mapping = file.mapping(node, field: field, allowed: ["event", "category", "topic"]) else { continue }
            let event = file.string(mapping, "event", field: "\(field).event", required: false)
            let category = file.string(mapping, "category", field: "\(field).category", required: false)
            let topic = file.string(mapping, "topic", field: "\(field).topic")
            if let topic, !topics.contains(topic) { file.fail(mapping["topic"], "\(field).topic", "unknown topic '\(topic)'") }
            if let category, !CAPTopicRule.categories.contains(category) {
                file.fail(mapping["category"], "\(field).category", "'\(category)' is not a CAP category (\(CAPTopicRule.categories.joined(separator: ", ")))")
            }
            guard let topic else { continue }
            switch (event, category) {
            case (let event?, nil): rules.append(CAPTopicRule(.event(event), topic: topic))
            case (nil, let category?): rules.append(CAPTopicRule(.category(category), topic: topic))
            default: file.fail(node, field, "needs exactly one of event or category")
            }
        }
        return rules
    }

    private func readPartners(_ file: YAMLFile, areas: Set<String>) -> [Partner] {
        var partners: [Partner] = []
        var seen: Set<String> = []
        for (index, node) in file.topLevelList("partners") {
            let field = "partners[\(index)]"
            guard let mapping = file.mapping(node, field: field, allowed: ["id", "name", "nameEn", "kind", "jurisdiction", "contact"]) else { continue }
            let id = file.string(mapping, "id", field: "\(field).id")
            let name = file.string(mapping, "name", field: "\(field).name")
            let jurisdiction = file.stringList(mapping, "jurisdiction", field: "\(field).jurisdiction") ?? []
            for (offset, (area, areaNode)) in jurisdiction.enumerated() where !areas.contains(area) {
                file.fail(areaNode, "\(field).jurisdiction[\(offset)]", "unknown area '\(area)'")
            }
            let contact = file.string(mapping, "contact", field: "\(field).contact", required: false)
            if let contact, !TargetRules.isEmailAddress(contact) {
                file.fail(mapping["contact"], "\(field).contact", "'\(contact)' is not an email address")
            }
            guard let id, let name else { continue }
            if !Slug.isValid(id) { file.fail(mapping["id"], "\(field).id", "'\(id)' is not a slug (a-z, 0-9, single hyphens)"); continue }
            if !seen.insert(id).inserted { file.fail(mapping["id"], "\(field).id", "duplicate partner '\(id)'"); continue }
            partners.append(Partner(
                id: id, name: name, nameEn: file.string(mapping, "nameEn", field: "\(field).nameEn", required: false),
                kind: file.string(mapping, "kind", field: "\(field).kind", required: false),
                jurisdiction: jurisdiction.map(\.0), contact: contact
            ))
        }
        return partners
    }
}
