import SikoModel
import Foundation

/// Which store the gateway uses, named by a URL: `sqlite:PATH` for the embedded file (the default,
/// `sqlite:DIR/siko.sqlite` from `--data`), or `postgres://` for a database several gateways share.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// `postgres://` or `postgresql://`, parsed in full (sslmode, password) when the store opens.
    case postgres(url: String)

    public struct Unsupported: Error, CustomStringConvertible {
        public var url: String
        public var description: String { "--database: '\(url)' is not a store this gateway knows; use sqlite:PATH (e.g. sqlite:./data/siko.sqlite) or postgres://USER@HOST:PORT/DB" }
    }

    /// `sqlite:PATH`, `sqlite://PATH` (an absolute path after the slashes) or `sqlite:///abs/path`.
    public init(url: String) throws(Unsupported) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
            return
        }
        guard url.hasPrefix("sqlite:") else { throw Unsupported(url: url) }
        var path = String(url.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
        guard !path.isEmpty, !path.hasSuffix("/") else { throw Unsupported(url: url) }
        self = .sqlite(path: path)
    }

    /// The default store of a data folder.
    public init(dataFolder: String) {
        self = .sqlite(path: (dataFolder as NSString).appendingPathComponent("siko.sqlite"))
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): URLPassword.hidden(in: url)
        }
    }
}
