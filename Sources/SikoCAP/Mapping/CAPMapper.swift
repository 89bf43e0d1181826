import SikoModel

/// Maps a read `CAPAlert` onto an event submission (README, "CAP 1.2"): status, scope, urgency,
/// topic, areas, languages and texts, or names every element that keeps it from being one.
public struct CAPMapper: Sendable {
    public let reference: ReferenceData
    /// Descriptions and parameters kept in `data.cap`: enough to read, bounded for every receiver.
    static let keptAreaDescriptions = 20
    static let keptParameters = 50

    public init(reference: ReferenceData) { self.reference = reference }

    public func map(_ alert: CAPAlert) -> Result<CAPMessage, ValidationFailure> {
        var errors: [FieldError] = []
        var silence: String?
        switch alert.status {
        case "Draft":
            errors.append(FieldError("alert.status", "a Draft is not published: send Actual, Exercise, Test or System", de: "ein Entwurf (Draft) wird nicht veröffentlicht: Actual, Exercise, Test oder System senden"))
        case "Test", "System":
            silence = "status \(alert.status): stored, sent to nobody"
        default:
            break
        }
        if alert.scope == "Private" {
            errors.append(FieldError("alert.scope", "Private alerts (to named addresses) are not supported: send Public or Restricted", de: "Private Meldungen (an benannte Adressen) werden nicht unterstützt: Public oder Restricted senden"))
        }
        let messageType = MessageType(rawValue: alert.msgType.lowercased()) ?? .alert
        if messageType != .alert, alert.references.isEmpty {
            errors.append(FieldError("alert.references", "an \(alert.msgType) names the alerts it refers to (sender,identifier,sent)", de: "ein \(alert.msgType) nennt die Meldungen, auf die es sich bezieht (sender,identifier,sent)"))
        }
        let key = CAPMessage.idempotencyKey(sender: alert.sender, identifier: alert.identifier)
        if key.utf8.count > 255 {
            errors.append(FieldError("alert.identifier", "sender and identifier together may hold at most 250 bytes", de: "sender und identifier dürfen zusammen höchstens 250 Bytes lang sein"))
        }
        var submission: EventSubmission?
        var translations: [EventTranslation] = []
        var elements: [String: String] = [:]
        if alert.infos.isEmpty {
            if messageType == .alert || messageType == .update {
                errors.append(FieldError("alert.info", "is required: an \(alert.msgType) says what happened and where", de: "ist erforderlich: ein \(alert.msgType) sagt, was wo geschieht"))
            }
        } else {
            let primary = alert.infos.firstIndex { Self.language($0.language) == .de } ?? 0
            let info = alert.infos[primary]
            let path = "alert.info[\(primary)]"
            elements = ["title": "\(path).headline", "body": "\(path).description", "expiresAt": "\(path).expires", "areas": "\(path).area", "topic": "\(path).event"]
            let topic = self.topic(alert, primary: primary, errors: &errors)
            let areas = self.areas(alert, primary: primary, errors: &errors)
            let urgency = alert.infos.map { CAPUrgency.urgency(urgency: $0.urgency, severity: $0.severity, certainty: $0.certainty) }.max() ?? .low
            submission = EventSubmission(
                topic: topic, urgency: urgency.rawValue, areas: areas, title: Self.title(info), body: Self.body(info),
                classification: alert.scope == "Restricted" ? Classification.restricted.rawValue : Classification.public.rawValue,
                expiresAt: info.expires, data: .object(["cap": capData(alert, info)]), exercise: alert.status == "Exercise"
            )
            if Self.language(info.language) != .en, let index = alert.infos.firstIndex(where: { Self.language($0.language) == .en }) {
                let english = alert.infos[index]
                let translation = EventTranslation(language: .en, title: Self.title(english), body: Self.body(english))
                // Bounded like the event's own title and body, which the event's checks see.
                let limits = EventValidator.Limits()
                if let problem = limits.title.problem(with: translation.title) {
                    errors.append(FieldError("alert.info[\(index)].\(english.headline == nil ? "event" : "headline")", problem))
                }
                if let body = translation.body, let problem = limits.body.problem(with: body) {
                    errors.append(FieldError("alert.info[\(index)].description", problem))
                }
                translations.append(translation)
            }
        }
        guard errors.isEmpty else { return .failure(ValidationFailure(errors: errors)) }
        return .success(CAPMessage(
            messageType: messageType, idempotencyKey: key, references: alert.references, submission: submission,
            translations: translations, silence: silence, elements: elements
        ))
    }

    /// `de`, `de-DE` and `de-AT` read as German, `en-…` as English; anything else as neither.
    static func language(_ tag: String) -> Language? {
        let primary = tag.prefix { $0 != "-" }.lowercased()
        return Language(rawValue: primary)
    }

    static func title(_ info: CAPAlert.Info) -> String { info.headline ?? info.event }

    static func body(_ info: CAPAlert.Info) -> String? {
        let parts = [info.description, info.instruction].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// `siko:topic` in any info block (the primary first), else the first `Rules/topics.yaml` rule
    /// that fits the primary block's event or categories.
    private func topic(_ alert: CAPAlert, primary: Int, errors: inout [FieldError]) -> String? {
        let order = [primary] + alert.infos.indices.filter { $0 != primary }
        for index in order {
            guard let offset = alert.infos[index].parameters.firstIndex(where: { $0.name == "siko:topic" }) else { continue }
            let value = alert.infos[index].parameters[offset].value
            guard reference.topic(value) != nil else {
                errors.append(FieldError("alert.info[\(index)].parameter[\(offset)].value", .unknownTopic(value)))
                return nil
            }
            return value
        }
        let info = alert.infos[primary]
        if let topic = CAPTopicRule.topic(event: info.event, categories: info.categories, rules: reference.capTopics) { return topic }
        errors.append(FieldError(
            "alert.info[\(primary)].event",
            "no topic for event '\(CAPValidator.excerpt(info.event))' (category \(info.categories.joined(separator: ", "))): add a parameter siko:topic or a rule under cap: in Rules/topics.yaml",
            de: "kein Thema für das Ereignis '\(CAPValidator.excerpt(info.event))' (Kategorie \(info.categories.joined(separator: ", "))): einen Parameter siko:topic oder eine Regel unter cap: in Rules/topics.yaml ergänzen"
        ))
        return nil
    }

    /// The areas of every info block: geocodes first, then polygons and circles by each area's
    /// representative point. What lies outside the geography is left out; if nothing is left, the
    /// error names what was there.
    private func areas(_ alert: CAPAlert, primary: Int, errors: inout [FieldError]) -> [String] {
        let geocodes = CAPGeocodes(tree: reference.areas)
        let points = reference.areas.areas.compactMap { area in area.point.map { (area.id, $0) } }
        var found: [String] = []
        var outside: [String] = []
        var seen: Set<String> = []
        func add(_ ids: [String]) { for id in ids where seen.insert(id).inserted { found.append(id) } }
        for info in alert.infos {
            for area in info.areas {
                for geocode in area.geocodes {
                    let ids = geocodes.areas(geocode)
                    if ids.isEmpty { outside.append("\(geocode.name) \(geocode.value)") } else { add(ids) }
                }
                for text in area.polygons {
                    guard case .success(let polygon) = GeoPolygon.parse(text) else { continue }
                    let ids = points.filter { polygon.contains($0.1) }.map(\.0)
                    if ids.isEmpty { outside.append("polygon (\(polygon.points.count) points)") } else { add(ids) }
                }
                for text in area.circles {
                    guard case .success(let circle) = GeoCircle.parse(text) else { continue }
                    let ids = points.filter { circle.contains($0.1) }.map(\.0)
                    if ids.isEmpty { outside.append("circle \(text)") } else { add(ids) }
                }
                if area.geocodes.isEmpty, area.polygons.isEmpty, area.circles.isEmpty { outside.append("'\(CAPValidator.excerpt(area.description))'") }
            }
        }
        if !found.isEmpty { return reference.areas.condensed(found) }
        let path = "alert.info[\(primary)].area"
        if outside.isEmpty {
            errors.append(FieldError(path, "is required: name the areas by geocode AGS, ARS or WARNCELLID, or by polygon or circle", de: "ist erforderlich: die Gebiete per Geocode AGS, ARS oder WARNCELLID oder per Polygon oder Kreis angeben"))
        } else {
            let named = outside.prefix(8).joined(separator: ", ") + (outside.count > 8 ? " and \(outside.count - 8) more" : "")
            let namedDe = outside.prefix(8).joined(separator: ", ") + (outside.count > 8 ? " und \(outside.count - 8) weitere" : "")
            errors.append(FieldError(
                path, "no area lies in the geography of Rules/areas.yaml: \(named)",
                de: "kein Gebiet liegt in der Geografie von Rules/areas.yaml: \(namedDe)"
            ))
        }
        return []
    }

    /// What the alert says beyond title and body, for receivers and the event's page.
    private func capData(_ alert: CAPAlert, _ info: CAPAlert.Info) -> JSONValue {
        var fields: [String: JSONValue] = [
            "identifier": .string(alert.identifier), "sender": .string(alert.sender), "sent": .string(CAPTime.format(alert.sent)),
            "status": .string(alert.status), "msgType": .string(alert.msgType), "scope": .string(alert.scope),
            "language": .string(info.language), "category": .array(info.categories.map(JSONValue.string)), "event": .string(info.event),
            "urgency": .string(info.urgency), "severity": .string(info.severity), "certainty": .string(info.certainty),
        ]
        let optional: [(String, String?)] = [
            ("source", alert.source), ("note", alert.note), ("restriction", alert.restriction), ("incidents", alert.incidents),
            ("senderName", info.senderName), ("instruction", info.instruction), ("web", info.web), ("contact", info.contact),
        ]
        for (name, value) in optional { if let value { fields[name] = .string(value) } }
        if !alert.references.isEmpty {
            fields["references"] = .array(alert.references.map { .string("\($0.sender),\($0.identifier),\($0.sent)") })
        }
        if let onset = info.onset { fields["onset"] = .string(CAPTime.format(onset)) }
        if let effective = info.effective { fields["effective"] = .string(CAPTime.format(effective)) }
        let descriptions = info.areas.map(\.description).filter { !$0.isEmpty }
        if !descriptions.isEmpty { fields["areaDesc"] = .array(descriptions.prefix(Self.keptAreaDescriptions).map(JSONValue.string)) }
        let parameters = info.parameters.filter { $0.name != "siko:topic" }.prefix(Self.keptParameters)
        if !parameters.isEmpty { fields["parameters"] = .array(parameters.map { .object(["valueName": .string($0.name), "value": .string($0.value)]) }) }
        return .object(fields)
    }
}
