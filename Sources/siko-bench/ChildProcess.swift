import AsyncHTTPClient
import Foundation

/// A program the bench starts and stops, with stdout and stderr going to a log file that is
/// searched for what the program announces (its port, its result).
final class ChildProcess: Sendable {
    let process: Process
    let log: String

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        self.log = log
        try Self.withSignalsUnblocked { try process.run() }
    }

    /// A child inherits the mask of the thread that spawns it, and the threads of Swift's
    /// concurrency pool block nearly every signal, so without this SIGTERM would never reach it.
    private static func withSignalsUnblocked(_ body: () throws -> Void) rethrows {
        var none = sigset_t(), previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try body()
    }

    /// Runs to the end and answers its stdout.
    static func output(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError.unexpected("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    var text: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Waits until the log matches `pattern`; answers its first capture.
    func waitForOutput(_ pattern: Regex<(Substring, Substring)>, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = text.firstMatch(of: pattern) { return String(match.1) }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError.unexpected("\(process.executableURL?.lastPathComponent ?? "?") did not print what was expected; its log:\n\(text.suffix(2000))")
    }

    func waitUntilReady(_ url: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError.unexpected("\(url) did not become ready; log:\n\(text.suffix(2000))")
    }

    /// SIGTERM, and SIGKILL when that has not ended it within 30 s. Polls rather than
    /// `waitUntilExit`, which spins on a thread without a run loop.
    func stop() async {
        let pid = process.processIdentifier
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(pid, SIGKILL) }
    }
}
