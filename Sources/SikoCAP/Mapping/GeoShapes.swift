import SikoModel

/// A problem with a polygon or circle, in both languages.
struct ShapeProblem: Error, Equatable {
    var text: LocalizedText
}

/// A CAP polygon: `lat,lon lat,lon …`, at least four points, the first repeated as the last.
struct GeoPolygon: Sendable, Equatable {
    var points: [GeoPoint]

    static func parse(_ text: String) -> Result<GeoPolygon, ShapeProblem> {
        var points: [GeoPoint] = []
        for pair in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
            guard let point = GeoPoint(pair) else {
                return .failure(ShapeProblem(text: LocalizedText(
                    "'\(CAPValidator.excerpt(String(pair)))' is not a point (latitude,longitude in WGS 84 degrees)",
                    de: "'\(CAPValidator.excerpt(String(pair)))' ist kein Punkt (Breite,Länge in Grad, WGS 84)"
                )))
            }
            points.append(point)
        }
        guard points.count >= 4 else {
            return .failure(ShapeProblem(text: LocalizedText(
                "a polygon needs at least 4 points, the first repeated as the last (it has \(points.count))",
                de: "ein Polygon braucht mindestens 4 Punkte, der erste als letzter wiederholt (es hat \(points.count))"
            )))
        }
        guard points.first == points.last else {
            return .failure(ShapeProblem(text: LocalizedText(
                "the polygon is not closed: its last point must repeat its first",
                de: "das Polygon ist nicht geschlossen: der letzte Punkt muss den ersten wiederholen"
            )))
        }
        return .success(GeoPolygon(points: points))
    }

    /// Even-odd ray casting in degrees: exact enough for town halls kilometres from any edge.
    func contains(_ point: GeoPoint) -> Bool {
        var inside = false
        var previous = points[points.count - 1]
        for current in points {
            if (current.latitude > point.latitude) != (previous.latitude > point.latitude) {
                let crossing = (previous.longitude - current.longitude) * (point.latitude - current.latitude)
                    / (previous.latitude - current.latitude) + current.longitude
                if point.longitude < crossing { inside.toggle() }
            }
            previous = current
        }
        return inside
    }
}

/// A CAP circle: `lat,lon radius`, the radius in kilometres.
struct GeoCircle: Sendable, Equatable {
    var centre: GeoPoint
    var radius: Double

    static func parse(_ text: String) -> Result<GeoCircle, ShapeProblem> {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        guard parts.count == 2, let centre = GeoPoint(parts[0]), let radius = Double(parts[1]), radius >= 0, radius.isFinite else {
            return .failure(ShapeProblem(text: LocalizedText(
                "'\(CAPValidator.excerpt(text))' is not a circle (latitude,longitude radius-in-km)",
                de: "'\(CAPValidator.excerpt(text))' ist kein Kreis (Breite,Länge Radius in km)"
            )))
        }
        return .success(GeoCircle(centre: centre, radius: radius))
    }

    func contains(_ point: GeoPoint) -> Bool { centre.distance(to: point) <= radius }
}
