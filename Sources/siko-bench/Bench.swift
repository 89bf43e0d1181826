import Foundation

/// `siko-bench [all|matching|cap|ingest|wrk|fanout|latency|email|sms|shared|peer [RUNS]]`: measures what DESIGN.md budgets, on this
/// machine, with real sockets and a real SQLite file. Client, server and receiver share the cores.
@main
enum Bench {
    static func main() async throws {
        let which = CommandLine.arguments.dropFirst().first ?? "all"
        let rules = ProcessInfo.processInfo.environment["SIKO_RULES"] ?? "Rules"
        print("siko-bench on \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Self.memory()) GiB")
        if which == "all" || which == "matching" { try MatchingBench(rules: rules).run() }
        if which == "all" || which == "cap" { try CAPBench(rules: rules).run() }
        if which == "all" || which == "ingest" { try await IngestBench(rules: rules).run() }
        if which == "all" || which == "ingest" || which == "wrk" { try await WrkIngestBench(rules: rules).run() }
        if which == "all" || which == "fanout" { try await FanoutBench(rules: rules).run() }
        if which == "all" || which == "latency" { try await LatencyBench(rules: rules).run() }
        if which == "all" || which == "email" { try await EmailBench(rules: rules).run() }
        if which == "all" || which == "sms" { try await SMSBench(rules: rules).run() }
        if which == "all" || which == "shared" { try await SharedStoreBench(rules: rules).run() }
        if which == "all" || which == "peer" {
            let runs = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 3
            try await PeerBench(rules: rules, runs: runs).run()
        }
    }

    static func memory() -> Int { Int(ProcessInfo.processInfo.physicalMemory / (1 << 30)) }
}

/// Medians and percentiles of repeated measurements.
struct Sample {
    var values: [Double]

    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    var median: Double { percentile(0.5) }
}

func report(_ name: String, _ value: String) {
    print("  " + name.padding(toLength: 44, withPad: " ", startingAt: 0) + value)
}

func elapsed(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Runs `send` `count` times from `workers` concurrent tasks; answers how many failed.
func sendConcurrently(count: Int, workers: Int, _ send: @escaping @Sendable () async -> Bool) async -> Int {
    let next = TicketCounter()
    let failures = TicketCounter()
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<workers {
            group.addTask {
                while next.take() < count {
                    if await !send() { _ = failures.take() }
                }
            }
        }
    }
    return failures.take()
}
