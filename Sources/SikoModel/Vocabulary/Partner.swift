/// A member organisation of the cooperation, from `Rules/partners.yaml`.
public struct Partner: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var nameEn: String?
    public var kind: String?
    /// The areas this partner may publish into (and everything inside them).
    public var jurisdiction: [String]
    /// Where the gateway writes about the partner's subscriptions (one disabled, for example).
    public var contact: String?

    public init(id: String, name: String, nameEn: String? = nil, kind: String? = nil, jurisdiction: [String], contact: String? = nil) {
        self.id = id
        self.name = name
        self.nameEn = nameEn
        self.kind = kind
        self.jurisdiction = jurisdiction
        self.contact = contact
    }
}
