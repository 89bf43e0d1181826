import SikoModel

/// What `CAP-v1.2.xsd` says of each element, as data the validator walks: the children of a complex
/// element in their order, how often each may occur and what its text must be.
struct CAPSchema: Sendable {
    enum Content: Sendable {
        case text
        /// A non-empty string without spaces or commas (identifier, sender: CAP 1.2, 3.2.1).
        case token
        case dateTime
        case oneOf([String])
        case decimal
        case integer
        case language
        case polygon
        case circle
        case elements(CAPSchema)
    }

    struct Element: Sendable {
        var name: String
        var required: Bool
        var repeats: Bool
        var content: Content
    }

    var elements: [Element]

    func element(_ name: String) -> (offset: Int, element: Element)? {
        elements.firstIndex { $0.name == name }.map { ($0, elements[$0]) }
    }

    static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"
    /// A signature may follow the alert's elements (the XSD's `any` in this namespace).
    static let signatureNamespace = "http://www.w3.org/2000/09/xmldsig#"

    static let statuses = ["Actual", "Exercise", "System", "Test", "Draft"]
    static let messageTypes = ["Alert", "Update", "Cancel", "Ack", "Error"]
    static let scopes = ["Public", "Restricted", "Private"]
    static let categories = CAPTopicRule.categories
    static let responseTypes = ["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"]
    static let urgencies = ["Immediate", "Expected", "Future", "Past", "Unknown"]
    static let severities = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    static let certainties = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"]

    private static func one(_ name: String, _ content: Content = .text) -> Element {
        Element(name: name, required: true, repeats: false, content: content)
    }

    private static func optional(_ name: String, _ content: Content = .text) -> Element {
        Element(name: name, required: false, repeats: false, content: content)
    }

    private static func many(_ name: String, _ content: Content = .text, required: Bool = false) -> Element {
        Element(name: name, required: required, repeats: true, content: content)
    }

    private static let pair = CAPSchema(elements: [one("valueName"), one("value")])

    static let area = CAPSchema(elements: [
        one("areaDesc"), many("polygon", .polygon), many("circle", .circle), many("geocode", .elements(pair)),
        optional("altitude", .decimal), optional("ceiling", .decimal),
    ])

    static let resource = CAPSchema(elements: [
        one("resourceDesc"), one("mimeType"), optional("size", .integer), optional("uri"), optional("derefUri"), optional("digest"),
    ])

    static let info = CAPSchema(elements: [
        optional("language", .language), many("category", .oneOf(categories), required: true), one("event"),
        many("responseType", .oneOf(responseTypes)), one("urgency", .oneOf(urgencies)), one("severity", .oneOf(severities)),
        one("certainty", .oneOf(certainties)), optional("audience"), many("eventCode", .elements(pair)),
        optional("effective", .dateTime), optional("onset", .dateTime), optional("expires", .dateTime), optional("senderName"),
        optional("headline"), optional("description"), optional("instruction"), optional("web"), optional("contact"),
        many("parameter", .elements(pair)), many("resource", .elements(resource)), many("area", .elements(area)),
    ])

    static let alert = CAPSchema(elements: [
        one("identifier", .token), one("sender", .token), one("sent", .dateTime), one("status", .oneOf(statuses)),
        one("msgType", .oneOf(messageTypes)), optional("source"), one("scope", .oneOf(scopes)), optional("restriction"),
        optional("addresses"), many("code"), optional("note"), optional("references"), optional("incidents"),
        many("info", .elements(info)),
    ])
}
