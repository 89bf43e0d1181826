import Foundation
import SikoConfig
import SikoModel
import SikoTestSupport
import Testing

/// A real SMTP server (aiosmtpd, `Tests/python/smtp_server.py`) on 127.0.0.1 for one test. Each
/// message it accepts is parsed by Python's MIME parser into a JSON summary the test reads.
public struct SMTPTestServer: Sendable {
    public let port: Int
    public let folder: TemporaryDirectory

    /// The interpreter with aiosmtpd; `make test` provides it.
    public static var python: String? { ProcessInfo.processInfo.environment["SIKO_TEST_PYTHON"] }
    public static let missing: Comment = "SIKO_TEST_PYTHON is not set: run `make test`, or point it at a Python with Tests/python/requirements.txt installed (aiosmtpd)"

    public static func with<T>(_ arguments: [String] = [], _ body: (SMTPTestServer) async throws -> T) async throws -> T {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(python, Self.missing))
        process.arguments = [Repository.root.appendingPathComponent("Tests/python/smtp_server.py").path, "--dir", folder.path] + arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw SMTPTestServerError.didNotStart(String(decoding: line, as: UTF8.self)) }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6)) else { throw SMTPTestServerError.didNotStart(text) }
        return try await body(SMTPTestServer(port: port, folder: folder))
    }

    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// The email channel of a gateway under test that sends through this server: plain SMTP, links
    /// to `https://siko.example`.
    public func channel(retrySchedule: RetrySchedule = RetrySchedule(delays: [.zero]), concurrency: Int = 2) -> ChannelSettings<EmailOptions> {
        ChannelSettings(
            retrySchedule: retrySchedule, timeout: .seconds(10), concurrency: concurrency,
            options: EmailOptions(
                url: url, from: Mailbox(name: "SiKo Ruhr", address: "alarm@siko-ruhr.example"), startTLS: .off,
                links: Links(publicURL: "https://siko.example")
            )
        )
    }

    /// Every accepted message so far, in order of arrival.
    public func messages() throws -> [[String: Any]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: folder.file(name)))
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
    }

    /// Makes a self-signed certificate for 127.0.0.1 with openssl; answers (certificate, key) paths.
    public static func selfSignedCertificate(in folder: TemporaryDirectory) throws -> (String, String) {
        let certificate = folder.file("cert.pem"), key = folder.file("key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SMTPTestServerError.certificate }
        return (certificate, key)
    }
}

public enum SMTPTestServerError: Error {
    case didNotStart(String)
    case certificate
}
