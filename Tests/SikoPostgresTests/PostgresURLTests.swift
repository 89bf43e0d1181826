import SikoPostgres
import Testing

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("user, password, host, port, database and TLS are read as libpq reads them; prefer is the default")
    func parts() throws {
        let url = try PostgresURL("postgres://siko:geh%40im@db.example:6543/gateway?sslmode=require", environment: [:])
        #expect(url.user == "siko" && url.password == "geh@im" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "gateway" && url.sslMode == .require && url.sslRootCert == nil)
        let plain = try PostgresURL("postgresql://siko@127.0.0.1/siko", environment: [:])
        #expect(plain.port == 5432 && plain.sslMode == .prefer && plain.password == nil)
    }

    @Test("without a password in the URL, PGPASSWORD is used; one in the URL wins")
    func password() throws {
        #expect(try PostgresURL("postgres://siko@h/db", environment: ["PGPASSWORD": "aus-der-umgebung"]).password == "aus-der-umgebung")
        #expect(try PostgresURL("postgres://siko:url@h/db", environment: ["PGPASSWORD": "env"]).password == "url")
    }

    @Test("the URL as logged leaves the password out")
    func logged() throws {
        let url = try PostgresURL("postgres://siko:streng-geheim@h:5432/db?sslmode=verify-full&sslrootcert=/etc/ca.pem", environment: [:])
        #expect(!url.description.contains("streng-geheim"))
        #expect(url.description == "postgres://siko@h:5432/db?sslmode=verify-full&sslrootcert=/etc/ca.pem")
    }

    @Test("what cannot work is refused with a reason, and the password is not repeated", arguments: [
        ("mysql://siko@h/db", "expected postgres://"),
        ("postgres://h/db", "the user is missing"),
        ("postgres://siko:pw@h/", "the database name is missing"),
        ("postgres://siko:pw@h/db?sslmode=sometimes", "sslmode must be one of disable, prefer, require, verify-full"),
        ("postgres://siko:pw@h/db?sslmode=verify-full", "sslmode=verify-full needs sslrootcert=FILE"),
        ("postgres://siko:pw@h/db?connect_timeout=3", "unknown parameter 'connect_timeout'"),
    ])
    func refused(text: String, reason: String) {
        #expect {
            _ = try PostgresURL(text, environment: [:])
        } throws: { error in
            let message = "\(error)"
            return message.contains(reason) && !message.contains(":pw@")
        }
    }
}
