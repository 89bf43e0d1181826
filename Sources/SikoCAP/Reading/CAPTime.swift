import Foundation

/// CAP's times: `2026-12-01T14:30:00+01:00`, always with an offset, never with fractions.
public enum CAPTime {
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 25, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
              bytes[22] == 0x3A, bytes[19] == 0x2B || bytes[19] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), let offsetHours = number(20..<22), let offsetMinutes = number(23..<25),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61, offsetHours < 15, offsetMinutes < 60 else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        let sign = bytes[19] == 0x2D ? -1 : 1
        components.timeZone = TimeZone(secondsFromGMT: sign * (offsetHours * 3600 + offsetMinutes * 60))
        guard let date = calendar.date(from: components), calendar.component(.day, from: date, in: components.timeZone!) == day else { return nil }
        return date
    }

    /// The time in Europe/Berlin with its offset, as German senders write it.
    public static func format(_ date: Date, in zone: TimeZone = TimeZone(identifier: "Europe/Berlin")!) -> String {
        let whole = Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down))
        let parts = calendar.dateComponents(in: zone, from: whole)
        let offset = zone.secondsFromGMT(for: whole)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = offset < 0 ? "-" : "+"
        let year = String(parts.year!)
        return "\(year)-\(two(parts.month!))-\(two(parts.day!))T\(two(parts.hour!)):\(two(parts.minute!)):\(two(parts.second!))"
            + "\(sign)\(two(abs(offset) / 3600)):\(two(abs(offset) % 3600 / 60))"
    }

    private static let calendar = Calendar(identifier: .gregorian)
}

private extension Calendar {
    func component(_ component: Calendar.Component, from date: Date, in zone: TimeZone) -> Int {
        dateComponents(in: zone, from: date).value(for: component) ?? 0
    }
}
