import Foundation

/// A wall-clock time of day such as `22:00`, read in the gateway's time zone (Europe/Berlin).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:MM` (24-hour clock).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
        self.init(hour: hour, minute: minute)
    }

    var minutesSinceMidnight: Int { hour * 60 + minute }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutesSinceMidnight < rhs.minutesSinceMidnight }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

/// The calendar all policies read wall-clock times in. The cooperation works in one time zone, so
/// "22:00" means 22:00 in Essen in summer and in winter.
public enum GatewayCalendar {
    public static let timeZone = TimeZone(identifier: "Europe/Berlin")!

    public static let berlin: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// `25.11.2026, 21:00 Uhr` or `25 Nov 2026, 21:00 (Berlin time)`, as people read times in
    /// messages. The styles are built once: every email and SMS formats at least one time.
    public static func wallTime(_ date: Date, language: Language) -> String {
        date.formatted(language == .de ? germanTime : englishTime)
    }

    private static let germanTime = Date.VerbatimFormatStyle(
        format: "\(day: .twoDigits).\(month: .twoDigits).\(year: .defaultDigits), \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) Uhr",
        locale: Locale(identifier: "de_DE"), timeZone: timeZone, calendar: Calendar(identifier: .gregorian)
    )

    private static let englishTime = Date.VerbatimFormatStyle(
        format: "\(day: .defaultDigits) \(month: .abbreviated) \(year: .defaultDigits), \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) (Berlin time)",
        locale: Locale(identifier: "en_GB"), timeZone: timeZone, calendar: Calendar(identifier: .gregorian)
    )
}
