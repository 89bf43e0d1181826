import Foundation
import SikoSQLite
import SikoTestGateway
import SikoTestSupport
import Testing

/// `siko users …` and what `siko keys` and `siko serve` do with people.
@Suite("siko users")
struct UserCLITests {
    func siko(_ arguments: String..., input: String? = nil) throws -> SikoBinary.Run { try SikoBinary.run(arguments, input: input) }

    @Test("users create reads the password from stdin; list shows the user; a short password, an unknown role or a taken login exit 1 with a message")
    func createAndList() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let created = try siko(
            "users", "create", "--data", folder.path, "--partner", "stadt-essen", "--login", "Anna.Schmidt", "--name", "Anna Schmidt",
            "--role", "editor", "--role", "viewer", "--cleared", "--password-stdin", input: "richtig-langes-passwort\n"
        )
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stderr.contains("anna.schmidt") && created.stderr.contains("angelegt"))

        let listed = try siko("users", "list", "--data", folder.path)
        #expect(listed.status == 0)
        let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.first == ["id", "login", "name", "partner", "roles", "cleared", "totp", "last sign-in", "disabled"])
        #expect(rows.count == 2 && rows[1][0].hasPrefix("usr_") && Array(rows[1][1...]) == ["anna.schmidt", "Anna Schmidt", "stadt-essen", "viewer,editor", "yes", "no", "-", "-"])
        #expect(!listed.stdout.contains("$2"), "never a hash")

        let short = try siko(
            "users", "create", "--data", folder.path, "--partner", "stadt-essen", "--login", "ben", "--name", "Ben", "--role", "viewer", "--password-stdin",
            input: "kurz\n"
        )
        #expect(short.status == 1 && short.stderr.contains("--password: must be at least 12 characters long"))
        let role = try siko(
            "users", "create", "--data", folder.path, "--partner", "stadt-essen", "--login", "ben", "--name", "Ben", "--role", "chef", "--password-stdin",
            input: "richtig-langes-passwort\n"
        )
        #expect(role.status == 1 && role.stderr.contains("--role: unknown role 'chef'"))
        let taken = try siko(
            "users", "create", "--data", folder.path, "--partner", "stadt-bochum", "--login", "ANNA.SCHMIDT", "--name", "Anna", "--role", "viewer",
            "--password-stdin", input: "richtig-langes-passwort\n"
        )
        #expect(taken.status == 1 && taken.stderr.contains("is taken"), "logins are unique whatever the case")
        let noStdin = try siko("users", "create", "--data", folder.path, "--partner", "stadt-essen", "--login", "ben", "--name", "Ben", "--role", "viewer")
        #expect(noStdin.status != 0 && noStdin.stderr.contains("--password-stdin"))
        let partner = try siko(
            "users", "create", "--data", folder.path, "--partner", "nirgendwo", "--login", "ben", "--name", "Ben", "--role", "viewer", "--password-stdin",
            input: "richtig-langes-passwort\n"
        )
        #expect(partner.status == 1 && partner.stderr.contains("--partner: unknown partner"))
    }

    @Test("users totp prints the otpauth URI alone; keys create --user binds a key; users disable revokes it; roles and clearance change")
    func totpKeysDisable() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let created = try siko(
            "users", "create", "--data", folder.path, "--partner", "stadt-essen", "--login", "anna.schmidt", "--name", "Anna Schmidt", "--role", "editor",
            "--password-stdin", input: "richtig-langes-passwort\n"
        )
        #expect(created.status == 0)
        let totp = try siko("users", "totp", "--data", folder.path, "anna.schmidt")
        #expect(totp.status == 0)
        let uri = totp.stdout.trimmingCharacters(in: .newlines)
        #expect(totp.stdout == uri + "\n")
        #expect(uri.hasPrefix("otpauth://totp/SiKo%20Gateway:anna.schmidt?secret=") && uri.contains("issuer=SiKo%20Gateway"))
        #expect(try siko("users", "list", "--data", folder.path).stdout.contains("\tno\tyes\t-\t-"), "not cleared, TOTP set up")
        #expect(try siko("users", "totp", "--data", folder.path, "nobody").status == 1)

        let key = try siko("keys", "create", "--data", folder.path, "--user", "anna.schmidt", "--scope", "subscriptions:manage")
        #expect(key.status == 0, "\(key.stderr)")
        #expect(key.stderr.contains("for stadt-essen (user anna.schmidt)"))
        let mismatch = try siko("keys", "create", "--data", folder.path, "--user", "anna.schmidt", "--partner", "stadt-bochum", "--scope", "deliveries:read")
        #expect(mismatch.status == 1 && mismatch.stderr.contains("--partner: anna.schmidt belongs to stadt-essen"))
        let unknown = try siko("keys", "create", "--data", folder.path, "--user", "nobody", "--scope", "deliveries:read")
        #expect(unknown.status == 1 && unknown.stderr.contains("--user: unknown user"))
        #expect(try siko("keys", "list", "--data", folder.path).stdout.contains("\tstadt-essen\tusr_"))

        let roles = try siko("users", "roles", "--data", folder.path, "anna.schmidt", "--role", "viewer", "--role", "approver")
        #expect(roles.status == 0 && roles.stderr.contains("viewer,approver"))
        let cleared = try siko("users", "clearance", "--data", folder.path, "anna.schmidt", "--cleared")
        #expect(cleared.status == 0 && cleared.stderr.contains("freigegeben"))
        #expect(try siko("users", "clearance", "--data", folder.path, "anna.schmidt").status != 0, "--cleared or --not-cleared")
        let reset = try siko("users", "reset-password", "--data", folder.path, "anna.schmidt", "--password-stdin", input: "ein-ganz-neues-passwort\n")
        #expect(reset.status == 0)

        let disabled = try siko("users", "disable", "--data", folder.path, "anna.schmidt")
        #expect(disabled.status == 0 && disabled.stderr.contains("1 Schlüssel widerrufen"))
        let keys = try siko("keys", "list", "--data", folder.path).stdout.split(separator: "\n").dropFirst()
        #expect(keys.count == 1 && keys.first?.hasSuffix("\t-") == false, "revoked")
        #expect(try siko("users", "list", "--data", folder.path).stdout.split(separator: "\n").last?.hasSuffix("\t-") == false, "disabled shows when")
        #expect(try siko("users", "disable", "--data", folder.path, "nobody").status == 1)

        let audit = try siko("audit", "list", "--data", folder.path).stdout
        for action in ["user.create", "user.totp", "key.create", "user.roles", "user.clearance", "user.password", "user.disable", "key.revoke"] {
            #expect(audit.contains("\tcli\t\(action)\t"), "\(action) by the operator")
        }
    }

    @Test("siko serve on a store with no users says how to make the first admin")
    func firstAdminHint() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let serve = try SikoServe.on(folder.path)
        let log = try await serve.waitFor("no users yet")
        try await serve.stop()
        #expect(log.contains("siko users create --data \(folder.path) --partner geschaeftsstelle --login LOGIN"))
        #expect(log.contains("--role admin --password-stdin"))
    }
}
