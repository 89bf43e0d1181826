import Foundation
import SikoModel
import Synchronization

/// A clock the test moves by hand, so hours of retry schedule pass in milliseconds.
public final class ManualClock: WallClock {
    private let instant: Mutex<Date>
    public init(_ start: Date) { instant = Mutex(start) }
    public func now() -> Date { instant.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { instant.withLock { $0 += seconds } }
}
