/// A store that cannot take writes for now: its disk is full, writing fails, its file was made
/// read-only, or another writer held it past the busy timeout. Each passes without a restart once
/// the cause does (space returns, the lock is let go), so callers are told to try again rather than
/// that something broke. Nothing of the failed write was kept: the engine rolled it back.
public enum StoreRefusal: Sendable, Equatable {
    case diskFull
    case ioError
    case readOnly
    case busy

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
        }
    }
}

/// An engine's error that may stand for a refusal; each engine makes its own errors conform.
public protocol StoreRefusalReporting: Error {
    var storeRefusal: StoreRefusal? { get }
}
