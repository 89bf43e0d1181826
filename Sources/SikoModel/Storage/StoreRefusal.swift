/// A store that cannot take writes for now: its disk is full, writing fails, its file was made
/// read-only, or another writer held it past the busy timeout. Each passes without a restart once
/// the cause does (space returns, the lock is let go), so callers are told to try again rather than
/// that something broke. Nothing of the failed write was kept: the engine rolled it back.
public enum StoreRefusal: Sendable, Equatable {
    case diskFull
    case ioError
    case readOnly
    case busy
    /// A shared store's server cannot be reached (restarted, failed over, the network away), or did
    /// not answer in time. A write cut off at its commit may have been stored after all.
    case unreachable

    /// The refusal `error` stands for, or nil for any other error.
    public init?(_ error: any Error) {
        guard let refusal = (error as? any StoreRefusalReporting)?.storeRefusal else { return nil }
        self = refusal
    }

    public var reason: String {
        switch self {
        case .diskFull: "the disk is full"
        case .ioError: "writing to the disk fails"
        case .readOnly: "the database file is read-only"
        case .busy: "another writer holds the database"
        case .unreachable: "the database server cannot be reached"
        }
    }

    /// True when the refused write may have been stored all the same, so a caller should repeat
    /// it in a way that finds the first (an idempotency key, an external id).
    public var mayHaveApplied: Bool { self == .unreachable }
}

/// An engine's error that may stand for a refusal; each engine makes its own errors conform.
public protocol StoreRefusalReporting: Error {
    var storeRefusal: StoreRefusal? { get }
}
