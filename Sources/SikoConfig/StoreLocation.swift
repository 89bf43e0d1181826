import Foundation

/// Which store the gateway uses, named by a URL: `sqlite:PATH` for the embedded file (the default,
/// `sqlite:DIR/siko.sqlite` from `--data`). Another engine adds its scheme here.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    public struct Unsupported: Error, CustomStringConvertible {
        public var url: String
        public var description: String { "--database: '\(url)' is not a store this gateway knows; use sqlite:PATH (e.g. sqlite:./data/siko.sqlite)" }
    }

    /// `sqlite:PATH`, `sqlite://PATH` (an absolute path after the slashes) or `sqlite:///abs/path`.
    public init(url: String) throws(Unsupported) {
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
        }
    }
}
