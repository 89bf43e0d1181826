/// Everything read from `Rules/` that the gateway consults on each request: geography, topics, partners.
public struct ReferenceData: Sendable {
    public let areas: AreaTree
    public let topics: [Topic]
    public let partners: [Partner]
    /// How CAP alerts without a `siko:topic` parameter find their topic.
    public let capTopics: [CAPTopicRule]
    private let topicIndex: [String: Int]
    private let partnerIndex: [String: Int]

    public init(areas: AreaTree, topics: [Topic], partners: [Partner], capTopics: [CAPTopicRule] = []) {
        self.capTopics = capTopics
        self.areas = areas
        self.topics = topics
        self.partners = partners
        self.topicIndex = Dictionary(topics.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.partnerIndex = Dictionary(partners.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func topic(_ id: String) -> Topic? { topicIndex[id].map { topics[$0] } }
    func topicNumber(_ id: String) -> Int? { topicIndex[id] }
    public func partner(_ id: String) -> Partner? { partnerIndex[id].map { partners[$0] } }

    /// True when `partner` may publish into `area`: the area lies within one of its jurisdiction areas.
    public func mayPublish(partner id: String, into area: String) -> Bool {
        guard let partner = partner(id) else { return false }
        return partner.jurisdiction.contains { areas.isWithin(area, $0) }
    }
}
