import GRDB
import SikoModel

extension DatabaseError: StoreRefusalReporting {
    public var storeRefusal: StoreRefusal? {
        switch resultCode {
        case .SQLITE_FULL: .diskFull
        case .SQLITE_IOERR: .ioError
        case .SQLITE_READONLY: .readOnly
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
        default: nil
        }
    }
}
