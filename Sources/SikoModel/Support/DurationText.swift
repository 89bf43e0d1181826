import Foundation

/// Durations as people write them in configuration: `0s`, `500ms`, `5s`, `5m`, `2h`, `1d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let amount = Int64(digits), amount < 1_000_000_000 else { return nil }
        switch trimmed.dropFirst(digits.count) {
        case "ms": return .milliseconds(amount)
        case "s": return .seconds(amount)
        case "m": return .seconds(amount * 60)
        case "h": return .seconds(amount * 3600)
        case "d": return .seconds(amount * 86_400)
        default: return nil
        }
    }

    /// The largest whole unit: `1d`, `30m`, `500ms`, as `parse` reads it back.
    public static func format(_ duration: Duration) -> String {
        let millis = duration.milliseconds
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where millis >= size && millis % size == 0 {
            return "\(millis / size)\(unit)"
        }
        return millis == 0 ? "0s" : "\(millis)ms"
    }
}

extension Duration {
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public var timeInterval: Double { Double(milliseconds) / 1000 }
}

