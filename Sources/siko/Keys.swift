import ArgumentParser
import Logging
import SikoModel
import SikoServer

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; prints the key alone on stdout, the only time it is shown.")

        @OptionGroup var data: DataOptions
        @OptionGroup var config: ConfigOptions

        @Option(help: "The partner the key belongs to (Rules/partners.yaml).")
        var partner: String

        @Option(help: "A scope: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")). Repeat for several.")
        var scope: [String]

        func validate() throws {
            for value in scope where Scope(rawValue: value) == nil {
                throw ValidationError("unknown scope '\(value)'; one of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if scope.isEmpty { throw ValidationError("name at least one --scope") }
        }

        func run() async throws {
            let reference = try CLI.loadRules(config).reference
            let store = try CLI.openStore(data)
            let authority = KeyAuthority(store: store, partners: { reference }, clock: SystemClock())
            do {
                let issued = try await authority.issue(partner: partner, scopes: Set(scope.compactMap(Scope.init(rawValue:))))
                print(issued.key)
                CLI.printError("created \(issued.record.id) for \(partner) with \(issued.record.scopes.map(\.rawValue).sorted().joined(separator: " "))")
            } catch let error as KeyAuthority.IssueError {
                CLI.printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
