import Foundation
import SikoTestGateway
import SikoTestSupport
import Testing

/// The gateways on one PostgreSQL know of each other, with the real binary: how many are alive
/// (their share of the installation's caps and rates follows) and whether they run the same rules.
@Suite("Gateways on one database know of each other", .serialized)
struct SharedGatewayRosterTests {
    static func metric(_ name: String, of base: String) async throws -> Double? {
        let page = try await LiveHTTP.text(base + "/metrics").text
        return page.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    /// `name` reaches `value` on `base`'s /metrics within `limit`; answers the last value seen.
    static func reaching(_ name: String, _ value: Double, on base: String, within limit: Duration = .seconds(20)) async throws -> Double? {
        let deadline = ContinuousClock.now + limit
        var seen: Double?
        repeat {
            seen = try await metric(name, of: base)
            if seen == value { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        return seen
    }

    @Test("a gateway with other Rules/ is warned of and counted; one that stops is counted out at once")
    func differingRules() async throws {
        let shared = try await SharedGateways.make()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let rules = try SharedGateways.rules(in: folder) { $0 + "\n# changed on one gateway only\n" }

        let gateways = try await shared.start(3, options: [2: ["--rules", rules]])
        let first = gateways[0]
        #expect(try await Self.reaching("siko_gateways_live", 3, on: first.base) == 3, "three gateways alive")
        #expect(try await Self.reaching("siko_gateways_differing", 1, on: first.base) == 1, "one of the others runs other rules")
        #expect(try await Self.reaching("siko_gateways_differing", 2, on: gateways[2].base) == 2, "to the odd one, both others differ")
        let deadline = ContinuousClock.now + .seconds(10)
        while !first.server.output.contains("run other Rules/ or Channels/"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(first.server.output.contains("run other Rules/ or Channels/"), "the log warns of it")
        #expect(first.server.output.contains("gateways=3"), "the log says how many share the limits")

        try await gateways[2].server.stop()
        // Withdrawn at its stop, so the next announcement (every 5 s) counts it out, not its expiry after 15 s.
        #expect(try await Self.reaching("siko_gateways_live", 2, on: first.base, within: .seconds(8)) == 2, "the stopped gateway is counted out")
        #expect(try await Self.reaching("siko_gateways_differing", 0, on: first.base, within: .seconds(8)) == 0)
        for (server, _) in gateways.prefix(2) { try await server.stop() }
    }
}
