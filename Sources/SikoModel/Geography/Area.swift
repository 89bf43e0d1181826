/// A node of the geography tree: region, Regierungsbezirk, Kreis or kreisfreie Stadt, Gemeinde.
public struct Area: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case region, regierungsbezirk, kreis
        case kreisfreieStadt = "kreisfreie-stadt"
        case gemeinde
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var parent: String?
    /// Amtlicher Gemeindeschlüssel (or its prefix for Kreise and Regierungsbezirke), where known.
    public var ags: String?
    /// A representative point (the town hall): a CAP polygon or circle covers the area when it covers this.
    public var point: GeoPoint?

    public init(id: String, name: String, kind: Kind, parent: String? = nil, ags: String? = nil, point: GeoPoint? = nil) {
        self.point = point
        self.id = id
        self.name = name
        self.kind = kind
        self.parent = parent
        self.ags = ags
    }
}
