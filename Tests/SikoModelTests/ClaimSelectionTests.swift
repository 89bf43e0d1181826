import SikoModel
import Testing

@Suite("which deliveries a claim takes")
struct ClaimSelectionTests {
    typealias Candidate = ClaimSelection.Candidate

    @Test("oldest first, each target to its free slots (perTarget unless named), expired leases whatever their target, up to the limit")
    func pick() {
        let due = [
            Candidate(id: "a1", target: "a", due: 1), Candidate(id: "b1", target: "b", due: 2), Candidate(id: "a2", target: "a", due: 3),
            Candidate(id: "a3", target: "a", due: 4), Candidate(id: "c1", target: "c", due: 5), Candidate(id: "b2", target: "b", due: 6),
            Candidate(id: "c2", target: "c", due: 7),
        ]
        let expired = [Candidate(id: "x1", target: "a", due: 2), Candidate(id: "x2", target: "a", due: 9)]
        #expect(ClaimSelection.pick(due: due, expired: expired, limit: 10, perTarget: 2, freeSlots: ["b": 0, "c": 1])
            == ["a1", "x1", "a2", "c1", "x2"])
        #expect(ClaimSelection.pick(due: due, expired: [], limit: 10, perTarget: 1, freeSlots: ["a": 3]) == ["a1", "b1", "a2", "a3", "c1"])
        #expect(ClaimSelection.pick(due: due, expired: expired, limit: 3, perTarget: 9, freeSlots: [:]) == ["a1", "b1", "x1"])
        #expect(ClaimSelection.pick(due: [], expired: [], limit: 5, perTarget: 9, freeSlots: [:]).isEmpty)
    }
}
