import ArgumentParser
import Foundation
import SikoCore
import SikoModel

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the people who sign in to the console.",
        subcommands: [Create.self, List.self, Disable.self, ResetPassword.self, TOTP.self, Roles.self, Clearance.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from stdin.")

        @OptionGroup var data: DataOptions
        @OptionGroup var config: ConfigOptions

        @Option(help: "The partner the user belongs to (Rules/partners.yaml).")
        var partner: String

        @Option(help: "The login: lowercase letters, digits, dots, hyphens or underscores (e.g. anna.schmidt).")
        var login: String

        @Option(help: "The person's name as the console shows it.")
        var name: String

        @Option(help: "A role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")). Repeat for several.")
        var role: [String]

        @Flag(help: "Cleared for VS-NfD content.")
        var cleared = false

        @Option(help: "The console's language for this user: de or en.")
        var language = "de"

        @Flag(help: "Read the password from stdin (required: passwords never go on the command line).")
        var passwordStdin = false

        func validate() throws {
            guard passwordStdin else { throw ValidationError("--password-stdin is required: the password is read from stdin, never from the command line") }
            guard Language(rawValue: language) != nil else { throw ValidationError("--language must be de or en") }
        }

        func run() async throws {
            let password = try UserCLI.readPassword()
            let reference = try CLI.loadRules(config).reference
            let users = try await CLI.services(data).users(partners: { reference })
            let submission = UserService.Submission(
                partner: partner, login: login, name: name, roles: role, cleared: cleared, language: Language(rawValue: language) ?? .de, password: password
            )
            let user = try await UserCLI.run { try await users.create(submission, by: .operator) }
            CLI.printError("Benutzer \(user.login) (\(user.id)) für \(user.partner) angelegt, Rollen: \(UserCLI.roles(user)) (user created)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users as a table: id, login, name, partner, roles, cleared, TOTP, last sign-in, disabled.")

        @OptionGroup var data: DataOptions

        @Option(help: "Only this partner's users.")
        var partner: String?

        func run() async throws {
            let users = try await CLI.services(data).users().list(partner: partner, by: .operator)
            CLI.printTable(["id", "login", "name", "partner", "roles", "cleared", "totp", "last sign-in", "disabled"], users.map { user in
                [
                    user.id, user.login, user.name, user.partner, UserCLI.roles(user), user.cleared ? "yes" : "no", user.hasSecondFactor ? "yes" : "no",
                    CLI.time(user.lastSignInAt), CLI.time(user.disabledAt),
                ]
            })
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: revokes their keys and ends their sessions at once.")

        @OptionGroup var target: UserTarget

        func run() async throws {
            let done = try await target.change { users, login in try await users.disable(login, by: .operator) }
            CLI.printError(
                "\(done.user.login) gesperrt: \(done.revokedKeys.count) Schlüssel widerrufen, \(done.endedSessions) Sitzungen beendet (disabled: keys revoked, sessions ended)"
            )
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a user's password; the new one is read from stdin.")

        @OptionGroup var target: UserTarget

        @Flag(help: "Read the password from stdin (required).")
        var passwordStdin = false

        func validate() throws {
            guard passwordStdin else { throw ValidationError("--password-stdin is required: the password is read from stdin, never from the command line") }
        }

        func run() async throws {
            let password = try UserCLI.readPassword()
            let user = try await target.change { users, login in try await users.resetPassword(login, to: password, by: .operator) }
            CLI.printError("Passwort von \(user.login) neu gesetzt (password reset)")
        }
    }

    struct TOTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "totp", abstract: "Set up a new TOTP second factor for a user; prints its otpauth:// URI alone on stdout, the only time it is shown."
        )

        @OptionGroup var target: UserTarget

        @Flag(help: "Remove the user's second factor instead.")
        var remove = false

        func run() async throws {
            if remove {
                let user = try await target.change { users, login in try await users.removeSecondFactor(login, by: .operator) }
                CLI.printError("zweiter Faktor von \(user.login) entfernt (second factor removed)")
                return
            }
            let enrolment = try await target.change { users, login in try await users.enrolSecondFactor(login, by: .operator) }
            print(enrolment.uri)
            CLI.printError("zweiter Faktor für \(enrolment.user.login) eingerichtet; die URI in einer Authenticator-App öffnen (scan the URI with an authenticator app)")
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a user's roles.")

        @OptionGroup var target: UserTarget

        @Option(help: "A role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")). Repeat for several.")
        var role: [String]

        func run() async throws {
            let user = try await target.change { users, login in try await users.setRoles(login, to: role, by: .operator) }
            CLI.printError("Rollen von \(user.login): \(UserCLI.roles(user)) (roles set)")
        }
    }

    struct Clearance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear a user for VS-NfD content, or take the clearance away.")

        @OptionGroup var target: UserTarget

        @Flag(exclusivity: .exclusive, help: "Cleared for VS-NfD content, or not.")
        var clearance: ClearanceFlag

        enum ClearanceFlag: EnumerableFlag {
            case cleared, notCleared
        }

        func run() async throws {
            let cleared = clearance == .cleared
            let user = try await target.change { users, login in try await users.setCleared(login, cleared, by: .operator) }
            CLI.printError("\(user.login): \(user.cleared ? "für VS-NfD freigegeben (cleared)" : "nicht für VS-NfD freigegeben (not cleared)")")
        }
    }
}

/// The store and the user a command changes.
struct UserTarget: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Argument(help: "The user's login (or id, usr_…).")
    var login: String

    /// Runs `body` with the users of the store named; a refusal becomes its message and exit 1.
    func change<T>(_ body: (UserService, String) async throws -> T) async throws -> T {
        let users = try await CLI.services(data).users()
        return try await UserCLI.run { try await body(users, login) }
    }
}

enum UserCLI {
    /// The first line of stdin, without its line break; a terminal gets no echo of it anyway.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            CLI.printError("error: kein Passwort auf stdin (no password on stdin; e.g. printf '%s' \"$PASSWORD\" | siko users …)")
            throw ExitCode(1)
        }
        return line
    }

    /// The option a service's field came from: `roles[1]` is the second `--role`.
    static func flag(_ field: String) -> String { field.hasPrefix("roles") ? "--role" : "--" + field }

    static func roles(_ user: User) -> String { user.roles.sorted().map(\.rawValue).joined(separator: ",") }

    /// Runs a service call; a refusal becomes its message on stderr and exit 1.
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ServiceError {
            switch error {
            case .invalid(let failure):
                for error in failure.errors { CLI.printError("error: \(flag(error.field)): \(error.message)") }
            case .notFound(let what):
                CLI.printError("error: \(what) gibt es nicht (not found)")
            case .conflict(_, _, let detail):
                CLI.printError("error: \(detail)")
            default:
                CLI.printError("error: \(error)")
            }
            throw ExitCode(1)
        }
    }
}
