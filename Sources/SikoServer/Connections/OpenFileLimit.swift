#if canImport(Glibc)
import SikoModel
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files, which every connection counts against.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard one (a soft limit of 1024 is common and would be reached
    /// long before `ConnectionLimits.maxConnections`); answers the limit now in force, nil if unknown.
    @discardableResult
    public static func raiseToHard() -> Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
