import Foundation

/// A CAP 1.2 alert as read, after `CAPValidator` found it valid: every required element present,
/// every enumeration one of its values. Texts are trimmed.
public struct CAPAlert: Sendable, Equatable {
    public var identifier: String
    public var sender: String
    public var sent: Date
    public var status: String
    public var msgType: String
    public var source: String?
    public var scope: String
    public var restriction: String?
    public var note: String?
    /// `sender,identifier,sent` triples, as CAP writes them.
    public var references: [Reference]
    public var incidents: String?
    public var infos: [Info]

    public struct Reference: Sendable, Equatable, Hashable {
        public var sender: String
        public var identifier: String
        public var sent: String
    }

    public struct NamedValue: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public struct Info: Sendable, Equatable {
        /// As sent; the XSD's default when left out is `en-US`.
        public var language: String
        public var categories: [String]
        public var event: String
        public var responseTypes: [String]
        public var urgency: String
        public var severity: String
        public var certainty: String
        public var eventCodes: [NamedValue]
        public var effective: Date?
        public var onset: Date?
        public var expires: Date?
        public var senderName: String?
        public var headline: String?
        public var description: String?
        public var instruction: String?
        public var web: String?
        public var contact: String?
        public var parameters: [NamedValue]
        public var areas: [Area]
    }

    public struct Area: Sendable, Equatable {
        public var description: String
        public var polygons: [String]
        public var circles: [String]
        public var geocodes: [NamedValue]
    }
}

extension CAPAlert {
    /// Builds the alert from a tree `CAPValidator` accepted.
    init(validated root: XMLElementNode) {
        let alert = Fields(root)
        identifier = alert.text("identifier") ?? ""
        sender = alert.text("sender") ?? ""
        sent = alert.text("sent").flatMap(CAPTime.parse) ?? Date(timeIntervalSince1970: 0)
        status = alert.text("status") ?? ""
        msgType = alert.text("msgType") ?? ""
        source = alert.text("source")
        scope = alert.text("scope") ?? ""
        restriction = alert.text("restriction")
        note = alert.text("note")
        references = (alert.text("references") ?? "").split(whereSeparator: \.isWhitespace).compactMap { triple in
            let parts = triple.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return parts.count == 3 ? Reference(sender: parts[0], identifier: parts[1], sent: parts[2]) : nil
        }
        incidents = alert.text("incidents")
        infos = alert.all("info").map { node in
            let info = Fields(node)
            return Info(
                language: info.text("language") ?? "en-US", categories: info.texts("category"), event: info.text("event") ?? "",
                responseTypes: info.texts("responseType"), urgency: info.text("urgency") ?? "", severity: info.text("severity") ?? "",
                certainty: info.text("certainty") ?? "", eventCodes: info.pairs("eventCode"),
                effective: info.text("effective").flatMap(CAPTime.parse), onset: info.text("onset").flatMap(CAPTime.parse),
                expires: info.text("expires").flatMap(CAPTime.parse), senderName: info.text("senderName"), headline: info.text("headline"),
                description: info.text("description"), instruction: info.text("instruction"), web: info.text("web"),
                contact: info.text("contact"), parameters: info.pairs("parameter"),
                areas: info.all("area").map { node in
                    let area = Fields(node)
                    return Area(
                        description: area.text("areaDesc") ?? "", polygons: area.texts("polygon"), circles: area.texts("circle"),
                        geocodes: area.pairs("geocode")
                    )
                }
            )
        }
    }

    /// The CAP children of an element by name.
    private struct Fields {
        let node: XMLElementNode

        init(_ node: XMLElementNode) { self.node = node }

        func all(_ name: String) -> [XMLElementNode] {
            node.children.filter { $0.name == name && $0.namespace == CAPSchema.namespace }
        }

        func texts(_ name: String) -> [String] {
            all(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }

        func text(_ name: String) -> String? {
            texts(name).first.flatMap { $0.isEmpty ? nil : $0 }
        }

        func pairs(_ name: String) -> [NamedValue] {
            all(name).map { NamedValue(name: Fields($0).text("valueName") ?? "", value: Fields($0).text("value") ?? "") }
        }
    }
}
