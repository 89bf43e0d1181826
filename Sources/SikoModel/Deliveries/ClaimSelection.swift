/// Which deliveries one claim takes: those due, oldest first, each target to what it may still
/// get; and those whose lease expired (their worker is gone), whatever their target; together in
/// due order up to the claim's limit. Pure, so the store only reads candidates and marks the pick.
public enum ClaimSelection {
    public struct Candidate: Sendable, Equatable {
        public var id: String
        public var target: String
        /// When it became due, or when its lease expired (Unix milliseconds).
        public var due: Int64

        public init(id: String, target: String, due: Int64) {
            self.id = id
            self.target = target
            self.due = due
        }
    }

    /// `due` and `expired` each in due order; answers ids in due order.
    public static func pick(due: [Candidate], expired: [Candidate], limit: Int, perTarget: Int, freeSlots: [String: Int]) -> [String] {
        var taken: [String: Int] = [:]
        var fair: [Candidate] = []
        for candidate in due {
            let count = taken[candidate.target, default: 0]
            guard count < freeSlots[candidate.target] ?? perTarget else { continue }
            taken[candidate.target] = count + 1
            fair.append(candidate)
        }
        var picked: [String] = []
        picked.reserveCapacity(min(limit, fair.count + expired.count))
        var (next, nextExpired) = (fair.startIndex, expired.startIndex)
        while picked.count < limit, next < fair.endIndex || nextExpired < expired.endIndex {
            if nextExpired == expired.endIndex || (next < fair.endIndex && fair[next].due <= expired[nextExpired].due) {
                picked.append(fair[next].id)
                next += 1
            } else {
                picked.append(expired[nextExpired].id)
                nextExpired += 1
            }
        }
        return picked
    }
}
