import Foundation
import SikoModel

/// Where a PostgreSQL store is, as libpq names it: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`
/// with `sslmode` (`disable`, `prefer` by default, `require`, `verify-full`) and `sslrootcert` as
/// query parameters. The password comes from the URL or, when the URL has none, `PGPASSWORD`.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, unverified (libpq's default).
        case prefer
        /// TLS or no connection, unverified.
        case require
        /// TLS, the server's certificate checked against `sslrootcert` and its name against the host.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// PEM file of the certificate authorities `verify-full` trusts.
    public var sslRootCert: String?

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "--database: '\(url)' is not a PostgreSQL URL this gateway can use: \(reason)" }
    }

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) {
        // Never repeat a password in an error message.
        let shown = URLPassword.hidden(in: text)
        func invalid(_ reason: String) -> Invalid { Invalid(url: shown, reason: reason) }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text) else {
            throw invalid("expected postgres://USER@HOST:PORT/DB")
        }
        guard let user = url.user?.removingPercentEncoding, !user.isEmpty else { throw invalid("the user is missing (postgres://USER@HOST/DB)") }
        guard let host = url.host, !host.isEmpty else { throw invalid("the host is missing") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw invalid("the database name is missing (…/DB)") }
        if let port = url.port, !(1...65535).contains(port) { throw invalid("the port must be between 1 and 65535") }
        var mode = SSLMode.prefer
        var rootCert: String?
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    throw invalid("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw invalid("sslrootcert needs a file") }
                rootCert = value
            default:
                throw invalid("unknown parameter '\(item.name)' (sslmode and sslrootcert are known)")
            }
        }
        if mode == .verifyFull, rootCert == nil { throw invalid("sslmode=verify-full needs sslrootcert=FILE") }
        self.user = user
        self.password = url.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        self.host = host
        self.port = url.port ?? 5432
        self.database = database
        self.sslMode = mode
        self.sslRootCert = rootCert
    }

    /// The URL as logs and errors may show it: the password left out.
    public var description: String {
        var text = "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
        if let sslRootCert { text += "&sslrootcert=\(sslRootCert)" }
        return text
    }
}
