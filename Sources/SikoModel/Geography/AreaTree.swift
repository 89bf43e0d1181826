/// The geography as a tree with dense integer indices, so matching never hashes strings twice.
///
/// Built once from validated areas (parents before children, no cycles: `SikoConfig` checks that).
public struct AreaTree: Sendable {
    public let areas: [Area]
    private let indexByID: [String: Int]
    private let indexByAGS: [String: Int]
    private let parentIndex: [Int?]
    /// For each area: itself and every ancestor, nearest first.
    private let lineage: [[Int]]
    /// For each area: itself, its ancestors and its descendants — every area whose subscribers hear of an event there.
    let related: [[Int]]

    public enum BuildError: Error, Equatable, Sendable {
        case duplicateID(String)
        case unknownParent(area: String, parent: String)
        case cycle(String)
    }

    public init(_ areas: [Area]) throws(BuildError) {
        var indexByID: [String: Int] = [:]
        var indexByAGS: [String: Int] = [:]
        for (index, area) in areas.enumerated() {
            guard indexByID.updateValue(index, forKey: area.id) == nil else { throw .duplicateID(area.id) }
            if let ags = area.ags { indexByAGS[ags] = index }
        }
        var parentIndex: [Int?] = []
        parentIndex.reserveCapacity(areas.count)
        for area in areas {
            guard let parent = area.parent else { parentIndex.append(nil); continue }
            guard let index = indexByID[parent] else { throw .unknownParent(area: area.id, parent: parent) }
            parentIndex.append(index)
        }
        var lineage: [[Int]] = []
        lineage.reserveCapacity(areas.count)
        for start in areas.indices {
            var chain = [start]
            var cursor = parentIndex[start]
            while let next = cursor {
                guard chain.count <= areas.count else { throw .cycle(areas[start].id) }
                chain.append(next)
                cursor = parentIndex[next]
            }
            lineage.append(chain)
        }
        var descendants = Array(repeating: [Int](), count: areas.count)
        for (index, chain) in lineage.enumerated() {
            for ancestor in chain.dropFirst() { descendants[ancestor].append(index) }
        }
        self.areas = areas
        self.indexByID = indexByID
        self.indexByAGS = indexByAGS
        self.parentIndex = parentIndex
        self.lineage = lineage
        self.related = areas.indices.map { lineage[$0] + descendants[$0] }
    }

    public var count: Int { areas.count }

    public func index(of id: String) -> Int? { indexByID[id] }

    public func area(_ id: String) -> Area? { indexByID[id].map { areas[$0] } }

    /// Resolves an area id or an official key (AGS) to the area id.
    public func resolve(_ reference: String) -> String? {
        if indexByID[reference] != nil { return reference }
        return indexByAGS[reference].map { areas[$0].id }
    }

    /// The area and all its ancestors, nearest first.
    public func lineage(of id: String) -> [String] {
        guard let index = indexByID[id] else { return [] }
        return lineage[index].map { areas[$0].id }
    }

    /// True when `inner` is `outer` or lies inside it.
    public func isWithin(_ inner: String, _ outer: String) -> Bool {
        guard let innerIndex = indexByID[inner], let outerIndex = indexByID[outer] else { return false }
        return lineage[innerIndex].contains(outerIndex)
    }
}
