import ArgumentParser
import Foundation
import SikoModel
import SikoServer
import SikoCore
import SikoSQLite

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read and check the audit trail.", subcommands: [Verify.self, List.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain: exit 0 and the head hash when intact, exit 1 naming the first broken entry."
        )

        @OptionGroup var data: DataOptions

        func run() async throws {
            let verification = try await CLI.services(data).audit.verify(by: .operator)
            if let broken = verification.broken {
                CLI.printError("audit trail BROKEN at \(broken)")
                throw ExitCode(1)
            }
            // The head hash, written down elsewhere, also shows entries cut off the end.
            print("audit trail intact: \(verification.checked) entries, head \(verification.head)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries as a table, oldest first.")

        @OptionGroup var data: DataOptions

        @Option(help: "Only entries after this sequence number.")
        var after: Int64 = 0

        @Option(help: "Only this partner's entries.")
        var partner: String?

        @Option(help: "At most this many rows.")
        var limit = 100

        func run() async throws {
            let audit = try await CLI.services(data).audit
            let entries: [AuditEntry]
            do {
                entries = try await audit.entries(after: after, limit: limit, partner: partner, by: .operator)
            } catch ServiceError.invalid(let failure) {
                for error in failure.errors { CLI.printError("error: --\(error.field): \(error.message)") }
                throw ExitCode(1)
            }
            print(["sequence", "at", "partner", "actor", "action", "object", "detail"].joined(separator: "\t"))
            for entry in entries {
                let record = entry.record
                print([
                    String(entry.sequence), JSONCoding.format(record.at), record.partner, record.actor, record.action, record.object,
                    record.detail ?? "",
                ].joined(separator: "\t"))
            }
        }
    }
}

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove targets, titles, bodies and data of events and deliveries older than the retention age; counts and the audit trail stay."
    )

    @OptionGroup var data: DataOptions

    @Option(help: "The retention age (e.g. 90d).")
    var olderThan = "90d"

    func validate() throws {
        guard DurationText.parse(olderThan).map({ $0 > .zero }) == true else {
            throw ValidationError("--older-than: '\(olderThan)' is not a duration such as 90d")
        }
    }

    func run() async throws {
        let retention = try await CLI.services(data).retention(age: DurationText.parse(olderThan)!)
        let counts = try await retention.purge(by: .operator)
        print("purged \(counts.events) events, \(counts.deliveries) deliveries, \(counts.subscriptions) deleted subscriptions")
        if let failure = counts.checkpointFailure {
            CLI.printError("error: \(Retention.checkpointWarning) (\(failure)); run siko purge again when no other process reads the database")
            throw ExitCode(1)
        }
    }
}
