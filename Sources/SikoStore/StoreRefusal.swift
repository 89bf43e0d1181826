import GRDB

/// A store that cannot take writes for now: its disk is full, writing fails, its file was made
/// read-only, or another writer held it past the busy timeout. Each passes without a restart once
/// the cause does (space returns, the lock is let go), so callers are told to try again rather than
/// that something broke. Nothing of the failed write was kept: SQLite rolled it back.
public enum StoreRefusal: Sendable, Equatable {
    case diskFull
    case ioError
    case readOnly
    case busy

    /// The refusal `error` stands for, or nil for any other error.
    public init?(_ error: any Error) {
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL: self = .diskFull
        case .SQLITE_IOERR: self = .ioError
        case .SQLITE_READONLY: self = .readOnly
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy
        default: return nil
        }
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
