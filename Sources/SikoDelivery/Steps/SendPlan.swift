import Foundation
import SikoChannels
import SikoModel

/// What a claimed job calls for before anything is sent: the job, the channel in force and the
/// time decide, nothing else.
enum SendPlan {
    case send(ChannelRoute)
    /// Nothing is sent; the result says why and what becomes of the delivery.
    case skip(SendResult)

    init(_ job: DeliveryJob, route: ChannelRoute?, now: Date) {
        if let expiresAt = job.event.expiresAt, expiresAt <= now {
            // Never sent late: suppressed, the last real error kept.
            self = .skip(SendResult(
                report: SendReport(.permanent(reason: "expired"), host: .unknown),
                transition: .expired(at: expiresAt, lastError: job.delivery.lastError)
            ))
        } else if let route {
            self = .send(route)
        } else {
            // A reload removed the channel after the delivery was planned.
            let report = SendReport(.permanent(reason: "channel \(job.delivery.channel.rawValue) is not configured"), host: .unknown)
            self = .skip(SendResult(
                report: report,
                transition: DeliveryTransition.after(report.outcome, attempt: job.delivery.attempts, schedule: RetrySchedule(delays: []), now: now)
            ))
        }
    }
}

/// One send as the dispatcher records it: the channel's report and the delivery's next state.
struct SendResult: Equatable {
    var report: SendReport
    var transition: DeliveryTransition
    /// How long the subscription may fail without a success before it is disabled; nil when
    /// nothing was sent.
    var disableAfter: Duration? = nil
}

extension ChannelRoute {
    /// The channel's answer within the route's timeout, so no send outlives its lease. A channel
    /// that bounds its own exchange gets no second deadline: two tasks and a timer fewer a send.
    func send(_ job: DeliveryJob) async -> SendReport {
        if channel.boundsItsOwnExchange { return await channel.send(job) }
        return await Deadline.run(within: timeout + .seconds(1)) { [channel] in await channel.send(job) }
            ?? SendReport(.retry(after: nil, reason: "timed out"), host: .unhealthy)
    }

    /// What `report` makes of the delivery along this route's schedule; `jitter` in -1...1
    /// spreads retries that failed together.
    func result(of report: SendReport, for job: DeliveryJob, now: Date, jitter: Double) -> SendResult {
        SendResult(
            report: report,
            transition: DeliveryTransition.after(
                report.outcome, attempt: job.delivery.attempts, schedule: retrySchedule, now: now, expiresAt: job.event.expiresAt, jitter: jitter
            ),
            disableAfter: disableAfter
        )
    }
}
