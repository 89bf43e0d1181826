import Foundation

/// The rules for a delivery's lease that ends without a send. Pure: engines persist the result.
public enum Lease {
    /// What a delivery claimed but not sent goes back to. The claim counted an attempt, and no
    /// attempt was made, so the count goes back; a delivery that had been tried before the claim
    /// is `failed` again (it keeps its history), one never tried is `pending`.
    public static func giveBack(attempts: Int) -> GivenBack {
        GivenBack(status: attempts > 1 ? .failed : .pending, attempts: attempts - 1)
    }

    /// A claimed delivery stopped before its send (its subscription went away) keeps the count
    /// it had before the claim.
    public static func attemptsUnsent(afterClaim attempts: Int) -> Int { giveBack(attempts: attempts).attempts }

    /// After a crash an abandoned lease's attempt may or may not have reached the receiver: it is
    /// kept on record as failed with this error, and the delivery is tried again at once.
    public static let interruptedError = "interrupted: the gateway stopped while sending"
    /// The state of the interrupted attempt and of its delivery, due again at once.
    public static let interruptedStatus: DeliveryStatus = .failed
}

/// A delivery as a give-back leaves it.
public struct GivenBack: Sendable, Equatable {
    public var status: DeliveryStatus
    public var attempts: Int

    public init(status: DeliveryStatus, attempts: Int) {
        self.status = status
        self.attempts = attempts
    }
}
