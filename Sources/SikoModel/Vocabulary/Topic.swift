/// What an event is about, from `Rules/topics.yaml`.
public struct Topic: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var nameEn: String?
    public var description: String?

    public init(id: String, name: String, nameEn: String? = nil, description: String? = nil) {
        self.id = id
        self.name = name
        self.nameEn = nameEn
        self.description = description
    }
}
