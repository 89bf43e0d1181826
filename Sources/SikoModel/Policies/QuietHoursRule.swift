import Foundation

/// Quiet hours: between `from` and `until` (wall-clock, Europe/Berlin) events below `below` are
/// held back on the listed channels, either until the quiet period ends (`defer`) or for good
/// (`suppress`). Channels not listed are never quiet.
public struct QuietHoursRule: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case `defer`
        case suppress
    }

    public var name: String
    public var from: TimeOfDay
    public var until: TimeOfDay
    /// Urgencies below this one are held back; this one and above always go out.
    public var below: Urgency
    public var channels: [ChannelKind: Mode]
    /// Empty: every partner.
    public var partners: Set<String>
    /// Empty: every subscription of the selected partners.
    public var subscriptions: Set<String>

    public init(
        name: String, from: TimeOfDay, until: TimeOfDay, below: Urgency, channels: [ChannelKind: Mode],
        partners: Set<String> = [], subscriptions: Set<String> = []
    ) {
        self.name = name
        self.from = from
        self.until = until
        self.below = below
        self.channels = channels
        self.partners = partners
        self.subscriptions = subscriptions
    }

    /// How this rule treats a delivery of an event with `urgency` to `subscription`, ignoring the time.
    public func mode(for subscription: Subscription, urgency: Urgency) -> Mode? {
        guard urgency < below, let mode = channels[subscription.channel] else { return nil }
        if !partners.isEmpty, !partners.contains(subscription.partner) { return nil }
        if !subscriptions.isEmpty, !subscriptions.contains(subscription.id) { return nil }
        return mode
    }

    /// True when `instant` falls in the quiet period (which may run past midnight).
    public func isQuiet(at instant: Date, calendar: Calendar = GatewayCalendar.berlin) -> Bool {
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let start = from.minutesSinceMidnight, end = until.minutesSinceMidnight
        if start == end { return false }
        return start < end ? (start <= now && now < end) : (now >= start || now < end)
    }

    /// The first instant after `instant` at which the wall clock shows `until`. On the night the
    /// clocks change this is still the local `until`, so the quiet period is an hour longer or shorter.
    /// A time the spring change skips counts as the first minute after the gap.
    public func end(after instant: Date, calendar: Calendar = GatewayCalendar.berlin) -> Date {
        calendar.nextDate(
            after: instant, matching: DateComponents(hour: until.hour, minute: until.minute, second: 0),
            matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward
        ) ?? instant
    }
}
