import SikoTestSupport
import SikoModel
import Testing

/// The resolver's bookkeeping without DNS: one lookup per name, a bounded number in all, deadlines
/// measured from a lookup's start, and a bounded memory of answers.
@Suite("Name lookups: single flight, deadlines, busy, remembered answers")
struct NameLookupsTests {
    let start = ContinuousClock.now
    let deadline = Duration.seconds(2)

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    /// Begins a lookup of `name`, answering the step and whether a new lookup was started.
    func begin(_ lookups: inout NameLookups<String>, _ name: String, at seconds: Double) -> (NameLookups<String>.Step, started: Bool) {
        var started = false
        let step = lookups.begin(name, deadline: deadline, now: at(seconds)) {
            started = true
            return "lookup of \(name)"
        }
        return (step, started)
    }

    func answer(_ step: NameLookups<String>.Step) -> LookupAnswer? {
        if case .answer(let answer) = step { return answer }
        return nil
    }

    @Test("callers of a name under way join its lookup and wait until its deadline, not a fresh one")
    func singleFlight() {
        var lookups = NameLookups<String>()
        let (first, startedFirst) = begin(&lookups, "hooks.example", at: 0)
        #expect(startedFirst)
        guard case .wait(let pending, let until) = first else { Issue.record("no lookup to wait for"); return }
        #expect(pending == "lookup of hooks.example" && until == at(2))
        let (second, startedSecond) = begin(&lookups, "hooks.example", at: 1.5)
        #expect(!startedSecond, "one lookup per name")
        guard case .wait(let joined, let joinedUntil) = second else { Issue.record("the second caller did not join"); return }
        #expect(joined == pending && joinedUntil == at(2))
        #expect(lookups.lookupsUnderWay == 1)
    }

    @Test("after its deadline a lookup still under way answers 'timed out' at once and starts no second one")
    func overdue() {
        var lookups = NameLookups<String>()
        _ = begin(&lookups, "never.example", at: 0)
        let (late, started) = begin(&lookups, "never.example", at: 2)
        #expect(!started)
        #expect(answer(late) == .failed("cannot resolve never.example: timed out after 2s"))
        #expect(lookups.lookupsUnderWay == 1, "the stuck lookup keeps its thread and only that one")
    }

    @Test("when every thread is taken a new name is answered at once; names already known still answer")
    func busy() {
        var lookups = NameLookups<String>(limits: .init(lookups: 2))
        _ = begin(&lookups, "known.example", at: 0)
        lookups.finish("known.example", .addresses([IPAddress("203.0.113.5")!]), now: at(0.1))
        _ = begin(&lookups, "stuck-1.example", at: 0.2)
        _ = begin(&lookups, "stuck-2.example", at: 0.3)
        let (refused, started) = begin(&lookups, "other.example", at: 5)
        #expect(!started)
        #expect(answer(refused) == .failed("cannot resolve other.example now: all 2 resolver threads are busy"))
        #expect(answer(begin(&lookups, "known.example", at: 5).0) == .addresses([IPAddress("203.0.113.5")!]))
        lookups.finish("stuck-1.example", .failed("cannot resolve stuck-1.example: Temporary failure in name resolution"), now: at(30))
        #expect(begin(&lookups, "other.example", at: 30).started, "a thread that comes back is used again")
    }

    @Test("addresses are remembered for their lifetime, failures only for the shorter one")
    func lifetimes() {
        var lookups = NameLookups<String>(limits: .init(addressLifetime: .seconds(30), failureLifetime: .seconds(5)))
        _ = begin(&lookups, "good.example", at: 0)
        lookups.finish("good.example", .addresses([IPAddress("198.51.100.7")!]), now: at(0))
        _ = begin(&lookups, "bad.example", at: 0)
        lookups.finish("bad.example", .failed("cannot resolve bad.example: Name or service not known"), now: at(0))

        #expect(answer(begin(&lookups, "bad.example", at: 4.9).0) == .failed("cannot resolve bad.example: Name or service not known"))
        #expect(begin(&lookups, "bad.example", at: 5).started, "a failure is asked again after 5s")
        #expect(answer(begin(&lookups, "good.example", at: 29.9).0) == .addresses([IPAddress("198.51.100.7")!]))
        #expect(begin(&lookups, "good.example", at: 30).started)
    }

    @Test("a lookup that comes back after its deadline is remembered, so the next caller has its answer")
    func lateAnswerRemembered() {
        var lookups = NameLookups<String>()
        _ = begin(&lookups, "slow.example", at: 0)
        lookups.finish("slow.example", .addresses([IPAddress("192.0.2.1")!]), now: at(12))
        let (step, started) = begin(&lookups, "slow.example", at: 12.5)
        #expect(!started && answer(step) == .addresses([IPAddress("192.0.2.1")!]))
        #expect(lookups.lookupsUnderWay == 0)
    }

    @Test("the remembered answers stay within their bound: expired ones go first, then the soonest to expire")
    func bounded() {
        var lookups = NameLookups<String>(limits: .init(answers: 3, addressLifetime: .seconds(30), failureLifetime: .seconds(5)))
        func learn(_ name: String, _ answer: LookupAnswer, at seconds: Double) {
            _ = begin(&lookups, name, at: seconds)
            lookups.finish(name, answer, now: at(seconds))
        }
        learn("a.example", .addresses([IPAddress("192.0.2.1")!]), at: 0)
        learn("b.example", .addresses([IPAddress("192.0.2.2")!]), at: 1)
        learn("c.example", .addresses([IPAddress("192.0.2.3")!]), at: 2)
        learn("d.example", .addresses([IPAddress("192.0.2.4")!]), at: 3)
        #expect(lookups.rememberedCount == 3)
        #expect(begin(&lookups, "a.example", at: 3).started, "the oldest made room")
        #expect(!begin(&lookups, "b.example", at: 3).started && !begin(&lookups, "d.example", at: 3).started)

        // A failure expires sooner than any address: a flood of failing names pushes out only each other.
        learn("x.example", .failed("cannot resolve x.example: Name or service not known"), at: 4)
        #expect(lookups.rememberedCount == 3)
        #expect(!begin(&lookups, "b.example", at: 4).started && !begin(&lookups, "c.example", at: 4).started)

        // At 31s b.example has expired: it goes before anything fresh.
        learn("e.example", .addresses([IPAddress("192.0.2.5")!]), at: 31)
        #expect(lookups.rememberedCount == 3, "c, d and e")
        #expect(!begin(&lookups, "c.example", at: 31).started && !begin(&lookups, "e.example", at: 31).started)
        #expect(begin(&lookups, "b.example", at: 31).started)
    }
}
