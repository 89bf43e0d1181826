import SikoChannels
import SikoModel

/// A channel adapter with the settings the dispatcher applies to it.
public struct ChannelRoute: Sendable {
    public var channel: any Channel
    public var retrySchedule: RetrySchedule
    public var timeout: Duration

    public init(channel: any Channel, retrySchedule: RetrySchedule, timeout: Duration) {
        self.channel = channel
        self.retrySchedule = retrySchedule
        self.timeout = timeout
    }
}
