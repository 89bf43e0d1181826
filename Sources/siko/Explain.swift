import ArgumentParser
import Foundation
import SikoModel
import SikoServer
import SikoCore
import SikoSQLite

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dry run of POST /v1/explain: which subscriptions an event would reach, how, and which rule holds any back."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var config: ConfigOptions

    @Option(help: "The publishing partner (jurisdiction applies as on the API).")
    var partner = "geschaeftsstelle"

    @Flag(help: "Print the JSON answer of POST /v1/explain instead of a table.")
    var json = false

    @Argument(help: "A file with the event as POST /v1/events takes it.")
    var event: String

    func run() async throws {
        let rules = try CLI.loadRules(config)
        guard rules.reference.partner(partner) != nil else {
            CLI.printError("unknown partner '\(partner)' (see \(config.rules)/partners.yaml)")
            throw ExitCode(1)
        }
        guard let body = FileManager.default.contents(atPath: event) else {
            CLI.printError("\(event): cannot read the file")
            throw ExitCode(1)
        }
        let submission: EventSubmission
        do {
            submission = try JSONCoding.decoder().decode(EventSubmission.self, from: body)
        } catch {
            CLI.printError("\(event): not an event: \(error)")
            throw ExitCode(1)
        }
        let explaining = try await CLI.services(data).explaining(rules: rules)
        // The operator at the console sees every target, as an admin key would.
        let identity = Identity(partner: partner, keyID: "cli", scopes: [.admin])
        let explanation: Explanation
        do {
            explanation = try explaining.explain(submission, by: identity)
        } catch ServiceError.invalid(let failure) {
            for error in failure.errors { CLI.printError("\(event): \(error.field): \(error.message)") }
            throw ExitCode(1)
        } catch ServiceError.outsideJurisdiction(let partner, let areas) {
            CLI.printError("\(event): areas: \(partner) may not publish into \(areas.joined(separator: ", "))")
            throw ExitCode(1)
        }
        let view = ExplanationView(explanation)
        if json {
            let encoder = JSONCoding.encoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            print(String(decoding: try encoder.encode(view), as: UTF8.self))
        } else {
            print(view.table)
        }
    }
}
