import SikoModel

/// The areas of the geography that a CAP geocode names: `AGS` (8 digits), `ARS` (12 digits) and the
/// DWD's `WARNCELLID` (9 digits). A key whose trailing groups are zero covers the whole Kreis,
/// Regierungsbezirk or Land, as the BBK's `warnVerwaltungsbereiche` do.
struct CAPGeocodes {
    let tree: AreaTree

    /// The area ids a geocode covers; empty when it lies outside the geography or is of a kind
    /// (SAME, FIPS, EXCLUDE_POLYGON …) the gateway does not read.
    func areas(_ geocode: CAPAlert.NamedValue) -> [String] {
        let value = geocode.value
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }) else { return [] }
        switch geocode.name.uppercased() {
        case "AGS":
            guard value.count == 8 else { return [] }
            return covered(byKey: value)
        case "ARS":
            guard value.count == 12 else { return [] }
            let digits = Array(value)
            let kreis = String(digits[0..<5])
            let verband = String(digits[5..<9])
            let gemeinde = String(digits[9..<12])
            if gemeinde != "000" { return covered(byKey: kreis + gemeinde) }
            // A Gemeindeverband without its Gemeinde names no area of the geography's levels.
            return verband == "0000" ? covered(byKey: kreis + "000") : []
        case "WARNCELLID":
            guard value.count == 9 else { return [] }
            let digits = Array(value)
            switch digits[0] {
            case "8": return covered(byKey: String(digits[1...]))
            case "1" where digits[6...].allSatisfy({ $0 == "0" }): return covered(byKey: String(digits[1..<6]) + "000")
            default: return []
            }
        default:
            return []
        }
    }

    /// An 8-digit AGS, its trailing zero groups (Gemeinde 3, Kreis 2, Bezirk 1) read as "all of it".
    private func covered(byKey key: String) -> [String] {
        if let exact = tree.resolve(key), tree.area(exact)?.ags == key { return [exact] }
        var prefix = Substring(key)
        if prefix.hasSuffix("000") { prefix = prefix.dropLast(3) }
        if prefix.count == 5, prefix.hasSuffix("00") { prefix = prefix.dropLast(2) }
        if prefix.count == 3, prefix.hasSuffix("0") { prefix = prefix.dropLast(1) }
        guard prefix.count < key.count else { return [] }
        let within = tree.areas.filter { area in area.ags.map { $0.hasPrefix(prefix) } ?? false }.map(\.id)
        return tree.outermost(within)
    }
}

extension AreaTree {
    /// The areas of `ids` that lie inside no other of them, in the geography's order.
    func outermost(_ ids: [String]) -> [String] {
        let set = Set(ids)
        return areas.map(\.id).filter { id in
            set.contains(id) && !lineage(of: id).dropFirst().contains(where: set.contains)
        }
    }

    /// `ids` with every parent whose children are all there standing for them, repeatedly: the
    /// same subscribers match, and people read "Kreis Unna" rather than its ten towns.
    func condensed(_ ids: [String]) -> [String] {
        var set = Set(outermost(ids))
        var children: [String: [String]] = [:]
        for area in areas { if let parent = area.parent { children[parent, default: []].append(area.id) } }
        var changed = true
        while changed {
            changed = false
            for (parent, kids) in children where !set.contains(parent) && kids.allSatisfy(set.contains) {
                set.subtract(kids)
                set.insert(parent)
                changed = true
            }
        }
        return areas.map(\.id).filter(set.contains)
    }
}
