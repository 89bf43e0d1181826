import Foundation
import SikoConfig
import SikoTestSupport
import Testing

@Suite("Fingerprints of configuration folders")
struct ConfigurationFingerprintTests {
    private func folder(_ files: [(String, String)]) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        for (path, content) in files {
            let file = root.file(path)
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("the same files give the same fingerprint whatever order they were written in; hidden files do not count")
    func same() throws {
        let one = try folder([("topics.yaml", "a"), ("templates/email.de.mustache", "Grüße")])
        let other = try folder([("templates/email.de.mustache", "Grüße"), ("topics.yaml", "a"), (".topics.yaml.swp", "editor")])
        defer { one.remove(); other.remove() }
        #expect(try ConfigurationFingerprint.of(folder: one.path) == ConfigurationFingerprint.of(folder: other.path))
    }

    @Test("a changed byte, a renamed file or contents moved between files changes it")
    func different() throws {
        let base = try folder([("a.yaml", "ab"), ("b.yaml", "c")])
        let changed = try folder([("a.yaml", "ab"), ("b.yaml", "d")])
        let renamed = try folder([("a.yaml", "ab"), ("c.yaml", "c")])
        let moved = try folder([("a.yaml", "a"), ("b.yaml", "bc")])
        defer { for root in [base, changed, renamed, moved] { root.remove() } }
        let fingerprints = try [base, changed, renamed, moved].map { try ConfigurationFingerprint.of(folder: $0.path) }
        #expect(Set(fingerprints).count == 4)
        #expect(fingerprints.allSatisfy { $0.count == 16 })
    }
}
