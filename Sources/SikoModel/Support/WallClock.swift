import Foundation

/// The time source for everything that schedules; tests pass a clock they control.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
