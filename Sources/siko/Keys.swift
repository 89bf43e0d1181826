import SikoCore
import ArgumentParser
import Logging
import SikoModel
import SikoServer
import Foundation

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; prints the key alone on stdout, the only time it is shown.")

        @OptionGroup var data: DataOptions
        @OptionGroup var config: ConfigOptions

        @Option(help: "The partner the key belongs to (Rules/partners.yaml); with --user, the user's own.")
        var partner: String?

        @Option(help: "The person the key belongs to (a login): it acts as them, with at most what their roles allow, and stops when they are disabled.")
        var user: String?

        @Option(help: "A scope: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")). Repeat for several.")
        var scope: [String]

        @Option(help: "Let the key expire after this long (e.g. 90d); no expiry when left out.")
        var expires: String?

        @Flag(help: "Requests with this key must be signed (Standard Webhooks); prints the signing secret on a second line.")
        var requireSignature = false

        func validate() throws {
            for value in scope where Scope(rawValue: value) == nil {
                throw ValidationError("unknown scope '\(value)'; one of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if scope.isEmpty { throw ValidationError("name at least one --scope") }
            if partner == nil && user == nil { throw ValidationError("name the key's --partner, or its --user") }
            if let expires, DurationText.parse(expires).map({ $0 > .zero }) != true {
                throw ValidationError("--expires: '\(expires)' is not a duration such as 90d")
            }
        }

        func run() async throws {
            let reference = try CLI.loadRules(config).reference
            let keys = try await CLI.services(data).keys(partners: { reference })
            let expiresAt = expires.flatMap(DurationText.parse).map { Date().addingTimeInterval($0.timeInterval) }
            do {
                let issued = try await keys.issue(
                    by: .operator, partner: partner, user: user, scopes: scope, expiresAt: expiresAt, requireSignature: requireSignature
                )
                print(issued.key)
                if let secret = issued.record.signingSecret { print(secret) }
                let owner = user.map { " (user \($0))" } ?? ""
                CLI.printError("created \(issued.record.id) for \(issued.record.partner)\(owner) with \(issued.record.scopes.map(\.rawValue).sorted().joined(separator: " "))")
            } catch ServiceError.invalid(let failure) {
                for error in failure.errors { CLI.printError("error: \(["partner", "user"].contains(error.field) ? "--" + error.field : error.field): \(error.message)") }
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys as a table: id, partner, user, scopes, created, expires, last used, revoked. Never the keys.")

        @OptionGroup var data: DataOptions

        @Option(help: "Only this partner's keys.")
        var partner: String?

        func run() async throws {
            let keys = try await CLI.services(data).keys()
                .list(by: .operator, partner: partner)
            CLI.printTable(["id", "partner", "user", "scopes", "created", "expires", "last used", "revoked"], keys.map { key in
                [
                    key.id, key.partner, key.userID ?? "-", key.scopes.map(\.rawValue).sorted().joined(separator: ","), CLI.time(key.createdAt),
                    CLI.time(key.expiresAt), CLI.time(key.lastUsedAt), CLI.time(key.revokedAt),
                ]
            })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id (siko_…); it is refused from the next request on.")

        @OptionGroup var data: DataOptions

        @Argument(help: "The key's id, as `keys list` shows it.")
        var id: String

        func run() async throws {
            let keys = try await CLI.services(data).keys()
            do {
                let key = try await keys.revoke(by: .operator, id: id)
                CLI.printError("revoked \(key.id) of \(key.partner) at \(JSONCoding.format(key.revokedAt ?? Date()))")
            } catch ServiceError.notFound {
                CLI.printError("error: no key \(id)")
                throw ExitCode(1)
            }
        }
    }
}
