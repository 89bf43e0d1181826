import SikoModel

/// The areas as a form offers them: the region, then each Regierungsbezirk with its kreisfreie
/// Städte and its Kreise, each Kreis with its Gemeinden, every one a checkbox.
struct AreaChoices {
    let tree: AreaTree

    func groups(selected: Set<String>, idPrefix: String = "area") -> [String: Any] {
        let children = Dictionary(grouping: tree.areas.filter { $0.parent != nil }, by: { $0.parent! })
        func box(_ area: Area, label: String? = nil) -> [String: Any] {
            ["id": "\(idPrefix)-\(area.id)", "value": area.id, "label": label ?? area.name, "checked": selected.contains(area.id)]
        }
        let regions = tree.areas.filter { $0.kind == .region }
        return [
            "regions": regions.map { box($0) },
            "bezirke": regions.flatMap { children[$0.id] ?? [] }.filter { $0.kind == .regierungsbezirk }.map { bezirk in
                let inside = children[bezirk.id] ?? []
                return [
                    "legend": bezirk.name, "whole": box(bezirk),
                    "cities": inside.filter { $0.kind == .kreisfreieStadt }.map { box($0) },
                    "kreise": inside.filter { $0.kind == .kreis }.map { kreis in
                        ["legend": kreis.name, "whole": box(kreis), "towns": (children[kreis.id] ?? []).map { box($0) }] as [String: Any]
                    },
                ] as [String: Any]
            },
        ]
    }
}
