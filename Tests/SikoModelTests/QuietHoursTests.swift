import SikoTestSupport
import Foundation
import SikoModel
import Testing

@Suite("Quiet hours in Europe/Berlin")
struct QuietHoursTests {
    @Test("22:00–06:00 is quiet across midnight, in winter (CET) and summer (CEST)", arguments: [
        ("2026-11-25T20:59:00Z", false), ("2026-11-25T21:00:00Z", true), ("2026-11-26T04:59:00Z", true), ("2026-11-26T05:00:00Z", false),
        ("2026-07-01T19:59:00Z", false), ("2026-07-01T20:00:00Z", true), ("2026-07-02T03:59:00Z", true), ("2026-07-02T04:00:00Z", false),
    ])
    func quietAcrossMidnight(instant: String, quiet: Bool) {
        #expect(nightRule.isQuiet(at: utc(instant)) == quiet)
    }

    @Test("a quiet period ends at 06:00 Berlin time, winter and summer")
    func endOfQuiet() {
        #expect(nightRule.end(after: utc("2026-11-25T21:30:00Z")) == utc("2026-11-26T05:00:00Z"))
        #expect(nightRule.end(after: utc("2026-11-26T01:00:00Z")) == utc("2026-11-26T05:00:00Z"))
        #expect(nightRule.end(after: utc("2026-07-01T20:30:00Z")) == utc("2026-07-02T04:00:00Z"))
    }

    @Test("the night clocks go back (25 Oct 2026) is quiet for nine hours, the repeated hour included")
    func autumnChange() {
        let start = utc("2026-10-24T20:00:00Z") // 22:00 CEST
        #expect(nightRule.isQuiet(at: start))
        #expect(!nightRule.isQuiet(at: start.addingTimeInterval(-60)))
        let end = nightRule.end(after: start)
        #expect(end == utc("2026-10-25T05:00:00Z")) // 06:00 CET
        #expect(end.timeIntervalSince(start) == 9 * 3600)
        // 02:30 happens twice that night: 00:30 UTC (CEST) and 01:30 UTC (CET); both are quiet and end at 06:00 CET.
        for instant in ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"] {
            #expect(nightRule.isQuiet(at: utc(instant)))
            #expect(nightRule.end(after: utc(instant)) == utc("2026-10-25T05:00:00Z"))
        }
    }

    @Test("the night clocks go forward (29 Mar 2026) is quiet for seven hours")
    func springChange() {
        let start = utc("2026-03-28T21:00:00Z") // 22:00 CET
        #expect(nightRule.isQuiet(at: start))
        let end = nightRule.end(after: start)
        #expect(end == utc("2026-03-29T04:00:00Z")) // 06:00 CEST
        #expect(end.timeIntervalSince(start) == 7 * 3600)
        #expect(!nightRule.isQuiet(at: end))
    }

    @Test("a quiet period ending in the skipped hour ends when the clocks jump to 03:00")
    func endInsideTheGap() {
        let rule = QuietHoursRule(name: "kurz", from: TimeOfDay("01:00")!, until: TimeOfDay("02:30")!, below: .critical, channels: [.sms: .defer])
        let instant = utc("2026-03-29T00:30:00Z") // 01:30 CET
        #expect(rule.isQuiet(at: instant))
        #expect(rule.end(after: instant) == utc("2026-03-29T01:00:00Z")) // 03:00 CEST
    }

    @Test("a daytime period (not across midnight) has a start and an end on the same day")
    func daytimePeriod() {
        let rule = QuietHoursRule(name: "mittag", from: TimeOfDay("12:00")!, until: TimeOfDay("13:00")!, below: .high, channels: [.sms: .defer])
        #expect(rule.isQuiet(at: utc("2026-11-25T11:30:00Z")))
        #expect(!rule.isQuiet(at: utc("2026-11-25T12:00:00Z")))
        #expect(!rule.isQuiet(at: utc("2026-11-25T10:59:00Z")))
    }

    @Test("times of day parse only as HH:MM on a 24-hour clock")
    func timeOfDay() {
        #expect(TimeOfDay("06:00") == TimeOfDay(hour: 6, minute: 0))
        #expect(TimeOfDay("23:59")?.description == "23:59")
        for bad in ["24:00", "6:00", "06:60", "0600", "", "ab:cd"] { #expect(TimeOfDay(bad) == nil, "\(bad)") }
    }
}
