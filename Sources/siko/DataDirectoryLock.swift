import SikoCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `siko serve` per data folder: the embedded store has a single dispatcher, which is what
/// lets it take back every abandoned lease at start. Held until the process ends.
final class DataDirectoryLock {
    private let descriptor: Int32

    struct Busy: Error, CustomStringConvertible {
        var path: String
        var description: String { "another siko serve is using \(path) (lock held on siko.lock)" }
    }

    init(directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("siko.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Busy(path: directory)
        }
    }

    deinit { close(descriptor) }
}
