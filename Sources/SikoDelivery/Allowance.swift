/// How many sends at once a target has earned, additive increase, multiplicative decrease: a
/// receiver that keeps answering fast gets half a send more per answer, up to `ceiling`; a slow or
/// failed answer halves it, never below `floor`. A slow receiver so holds at most `floor` slots of
/// the channel's budget soon after it slows, while a fast one is not held to them.
struct Allowance: Sendable, Equatable {
    /// An answer within this many seconds counts as fast.
    static let fastAnswer = 0.25

    let floor: Int
    let ceiling: Int
    private var value: Double

    init(floor: Int, ceiling: Int) {
        self.floor = floor
        self.ceiling = max(floor, ceiling)
        value = Double(floor)
    }

    var sends: Int { Int(value) }

    /// Above `floor`, so worth remembering.
    var isRaised: Bool { value > Double(floor) }

    mutating func record(fast: Bool) {
        value = fast ? min(Double(ceiling), value + 0.5) : max(Double(floor), value / 2)
    }
}
