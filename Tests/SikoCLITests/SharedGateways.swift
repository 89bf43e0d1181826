import Crypto
import Foundation
import Logging
import SikoCore
import SikoModel
import SikoPostgres
import SikoTestGateway
import SikoTestSupport
import Testing

/// Several real `siko serve` on one database of the run's private PostgreSQL cluster, all with
/// the same sealing key, as an installation runs them.
struct SharedGateways {
    let url: String
    let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
    var environment: [String: String] { ["SIKO_SECRET_KEY": key, "SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"] }

    /// On a database of the run's cluster, or of `cluster` (one the test restarts).
    static func make(on cluster: PostgresHarness.Cluster? = nil) async throws -> SharedGateways {
        try #require(PostgresHarness.available, "\(PostgresHarness.Failure.missing)")
        if let cluster { return SharedGateways(url: try await cluster.database()) }
        return SharedGateways(url: try await PostgresHarness.database())
    }

    /// `siko ARGUMENTS --database URL`, to its end.
    func run(_ arguments: String...) throws -> SikoBinary.Run {
        try SikoBinary.run(arguments + ["--database", url], environment: environment)
    }

    /// An API key of `partner` with `scopes`.
    func apiKey(partner: String = "stadt-essen", scopes: [String] = ["events:publish", "subscriptions:manage"]) throws -> String {
        let made = try SikoBinary.run(
            ["keys", "create", "--database", url, "--partner", partner] + scopes.flatMap { ["--scope", $0] }, environment: environment
        )
        try #require(made.status == 0, "keys create failed: \(made.stderr)")
        return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `count` gateways started together, each on a free port; answers them with their base URLs.
    /// `options` gives a gateway arguments of its own (by its number).
    func start(_ count: Int, options: [Int: [String]] = [:]) async throws -> [(server: SikoServe, base: String)] {
        var started: [(server: SikoServe, base: String)] = []
        do {
            let servers = try (0..<count).map { number in
                try SikoServe(arguments: ["serve", "--database", url, "--port", "0"] + (options[number] ?? []), environment: environment)
            }
            for server in servers { started.append((server, "http://127.0.0.1:\(try await server.port())")) }
            return started
        } catch {
            for (server, _) in started { try? await server.stop() }
            throw error
        }
    }

    /// A copy of the repository's `Rules/` in `folder` with `policies.yaml` edited, for gateways
    /// that run other rules (`--rules`).
    static func rules(in folder: TemporaryDirectory, editingPolicies edit: (String) -> String) throws -> String {
        let rules = folder.file("Rules")
        try FileManager.default.copyItem(atPath: Repository.root.appendingPathComponent("Rules").path, toPath: rules)
        let policies = rules + "/policies.yaml"
        try edit(try String(contentsOfFile: policies, encoding: .utf8)).write(toFile: policies, atomically: true, encoding: .utf8)
        return rules
    }

    /// The store itself, as the test reads it behind the gateways.
    func store() async throws -> PostgresStore {
        var logger = Logger(label: "siko-test")
        logger.logLevel = .warning
        let sealer = SecretSealer(key: SymmetricKey(data: Data(base64Encoded: key)!))
        return try await PostgresStore(database: try PostgresPool(url: try PostgresURL(url), logger: logger), sealer: sealer)
    }
}
