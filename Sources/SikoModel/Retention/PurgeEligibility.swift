import Foundation

/// Which deliveries keep their event's content from retention: retention never cancels a send. A
/// delivery still waiting for an attempt or in one is under way, and so is an SMS handed to the
/// gateway while its report may still come (`SMSReceipt.reportWindow`). Engines generate their
/// queries from these values.
public enum PurgeEligibility {
    public static let underWay: [DeliveryStatus] = [.pending, .failed, .sending]
    /// A send in this state on this channel waits for its report.
    public static let awaitingReport: (status: DeliveryStatus, channel: ChannelKind) = (.sent, .sms)

    /// A send of `awaitingReport` last changed at or after this still waits for its report.
    public static func reportsSince(now: Date) -> Date { now.addingTimeInterval(-SMSReceipt.reportWindow.timeInterval) }

    public static func keepsContent(status: DeliveryStatus, channel: ChannelKind, updatedAt: Date, now: Date) -> Bool {
        if underWay.contains(status) { return true }
        return status == awaitingReport.status && channel == awaitingReport.channel && updatedAt >= reportsSince(now: now)
    }

    /// An event published before the cutoff may lose its content when none of its deliveries keeps it.
    public static func mayPurge(_ deliveries: [Delivery], now: Date) -> Bool {
        !deliveries.contains { keepsContent(status: $0.status, channel: $0.channel, updatedAt: $0.updatedAt, now: now) }
    }
}
