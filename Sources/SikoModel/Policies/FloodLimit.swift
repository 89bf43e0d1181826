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

    /// Sends to `target` on `channel` after `since`.
    public func count(channel: ChannelKind, target: String, since: Date) -> Int {
        guard let times = sends[Key(channel: channel, target: target)] else { return 0 }
        return times.count - (times.firstIndex { $0 > since } ?? times.count)
    }

    public mutating func record(channel: ChannelKind, target: String, at time: Date) {
        let key = Key(channel: channel, target: target)
        var times = sends[key, default: []]
        let position = times.lastIndex { $0 <= time }.map { $0 + 1 } ?? 0
        times.insert(time, at: position)
        sends[key] = times
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
