import Crypto
import Foundation

/// A short hash of everything in a configuration folder (`Rules/`, `Channels/` with its
/// templates): the same files give the same hash on every gateway, whatever their times or the
/// order they were written in, so an operator sees at once whether gateways run the same rules.
public enum ConfigurationFingerprint {
    /// The first 16 hex digits of a SHA-256 over each regular file's path (relative to `folder`)
    /// and content, in path order. Hidden files (editors' swap files, `.DS_Store`) are left out.
    public static func of(folder: String) throws -> String {
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        ) else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: folder]) }
        var files: [(path: String, url: URL)] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count).drop(while: { $0 == "/" }))
            files.append((path, url))
        }
        var hash = SHA256()
        for file in files.sorted(by: { $0.path < $1.path }) {
            let content = try Data(contentsOf: file.url)
            // Path and length first, so no two different folders can run together into one stream.
            hash.update(data: Data("\(file.path)\u{0}\(content.count)\u{0}".utf8))
            hash.update(data: content)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined().prefix(16).description
    }
}
