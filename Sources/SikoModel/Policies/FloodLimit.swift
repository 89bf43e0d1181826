import Foundation

/// At most `max` deliveries per target on `channel` within `per`; `critical` events always go.
public struct FloodLimit: Sendable, Equatable {
    public var channel: ChannelKind
    public var max: Int
    public var per: Duration

    public init(channel: ChannelKind, max: Int, per: Duration) {
        self.channel = channel
        self.max = max
        self.per = per
    }
}

/// When each target was last sent to, per channel: a sliding window of send times.
public struct FloodCounter: Sendable {
    struct Key: Hashable {
        var channel: ChannelKind
        var target: String
    }

    /// Send times per target, oldest first.
    private var sends: [Key: [Date]] = [:]

    public init() {}

    public mutating func record(channel: ChannelKind, target: String, at time: Date) {
        // Mutated in place: a copy out of the dictionary and back would copy the array every time.
        sends[Key(channel: channel, target: target), default: []].insertInOrder(time)
    }

    /// Records a send at `time` unless `max` sends after `since` are already recorded (and `force`
    /// is false); answers whether it was recorded and how many there were. One hash lookup for both.
    public mutating func admit(channel: ChannelKind, target: String, at time: Date, since: Date, max: Int, force: Bool) -> (admitted: Bool, count: Int) {
        Self.admit(into: &sends[Key(channel: channel, target: target), default: []], at: time, since: since, max: max, force: force)
    }

    private static func admit(into times: inout [Date], at time: Date, since: Date, max: Int, force: Bool) -> (admitted: Bool, count: Int) {
        let count = times.count - (times.firstIndex { $0 > since } ?? times.count)
        let admitted = force || count < max
        if admitted { times.insertInOrder(time) }
        return (admitted, count)
    }

    /// Takes back one recorded send.
    public mutating func remove(channel: ChannelKind, target: String, at time: Date) {
        let key = Key(channel: channel, target: target)
        guard var times = sends[key], let position = times.lastIndex(of: time) else { return }
        times.remove(at: position)
        sends[key] = times.isEmpty ? nil : times
    }

    /// Forgets sends at or before each channel's cutoff, so memory stays bounded by one window.
    public mutating func forget(before cutoff: [ChannelKind: Date]) {
        for (key, times) in sends {
            guard let limit = cutoff[key.channel] else { sends[key] = nil; continue }
            let kept = times.drop { $0 <= limit }
            if kept.isEmpty { sends[key] = nil } else if kept.count != times.count { sends[key] = Array(kept) }
        }
    }
}

private extension Array where Element == Date {
    /// Sends arrive in time order, so this is almost always an append.
    mutating func insertInOrder(_ time: Date) {
        var position = endIndex
        while position > startIndex, self[position - 1] > time { position -= 1 }
        insert(time, at: position)
    }
}
