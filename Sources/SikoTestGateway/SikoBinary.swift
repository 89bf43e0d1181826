import AsyncHTTPClient
import Foundation
import NIOCore
import SikoTestSupport
import Synchronization
import Testing

/// The real `siko` executable, as operators run it.
public enum SikoBinary {
    public struct Run: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// `swift build --build-tests` puts the products beside the test bundle.
    public static var executable: URL {
        var directory = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("siko").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("siko")
    }

    /// Runs a command to its end, in the repository (so `Rules/` and `Channels/` are the shipped ones).
    public static func run(_ arguments: String...) throws -> Run { try run(arguments) }

    /// `environment` is added to this process's own (SIKO_SECRET_KEY, say); `input`, when given, is its stdin.
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = Repository.root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        if input != nil { process.standardInput = stdin }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A running `siko serve` whose log is collected as it is written.
public final class SikoServe: Sendable {
    final class Log: Sendable {
        let text = Mutex("")
    }

    public let process: Process
    private let log = Log()

    /// `wrapper` runs the binary under another program (strace, ip netns exec): its command and arguments.
    public init(arguments: [String], environment: [String: String] = [:], wrapper: [String] = []) throws {
        process = Process()
        if let command = wrapper.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = wrapper.dropFirst() + [SikoBinary.executable.path] + arguments
        } else {
            process.executableURL = SikoBinary.executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = Repository.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["SIKO_LOG_LEVEL": "info"]) { $1 }) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { [log] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            log.text.withLock { $0 += text }
        }
        try process.run()
    }

    /// `siko serve` on `data` on a free port, with loopback receivers allowed.
    public static func on(_ data: String, _ extra: String...) throws -> SikoServe {
        try SikoServe(arguments: ["serve", "--data", data, "--port", "0"] + extra, environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8"])
    }

    public var output: String { log.text.withLock { $0 } }

    /// Waits (bounded) until the log shows `text`; answers the log.
    public func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return output }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("'\(text)' did not appear in the log:\n\(output)")
        return output
    }

    /// The port it listens on, from its log: siko's own line with the URL (Hummingbird's
    /// "listening on" may come before it).
    public func port() async throws -> Int {
        let log = try await waitFor("url=http://127.0.0.1:")
        return try #require(log.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
    }

    /// SIGTERM, then waits for the exit. The wait is long (a drain on a loaded debug build takes
    /// its time) but not silent: a server still running after it fails the test, saying so.
    public func stop(within timeout: Duration = .seconds(120)) async throws {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            Issue.record("siko serve did not exit within \(timeout) of SIGTERM; killed. Log:\n\(output)")
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        }
    }
}

/// Plain HTTP to a live gateway.
public enum LiveHTTP {
    public static func post(_ url: String, key: String, _ body: String) async throws -> (status: UInt, body: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:])
    }

    /// A page as text, such as `/metrics`.
    public static func text(_ url: String) async throws -> (status: UInt, text: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return (response.status.code, String(buffer: bytes))
    }
}
