import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real Kannel (bearerbox + smsbox, Debian's `kannel`) with its fake SMSC (`kannel-extras`),
/// all on 127.0.0.1, for tests and benchmarks. What the fake SMSC receives is what a phone would get.
public final class KannelHarness: Sendable {
    public static let bearerbox = "/usr/sbin/bearerbox"
    public static let smsbox = "/usr/sbin/smsbox"
    public static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"
    public static var available: Bool { [bearerbox, smsbox, fakesmsc].allSatisfy(FileManager.default.isExecutableFile(atPath:)) }

    public let sendsmsURL: String
    private let output = Mutex(Data())

    /// One message as the fake SMSC printed it: `<from> <to> <type> <text>`.
    public struct Received: Equatable, Sendable {
        public var from: String
        public var to: String
        public var type: String
        public var text: String
    }

    private init(sendsmsURL: String) { self.sendsmsURL = sendsmsURL }

    /// Starts Kannel for `body`. A free port can be taken by another test between the check and
    /// Kannel's bind, which leaves a box that never listens: the start is then tried again on
    /// other ports, up to three times. Errors of `body` itself are never retried.
    public static func with<T>(_ body: (KannelHarness) async throws -> T) async throws -> T {
        for attempt in 1... {
            do {
                return try await once { gateway in
                    do { return try await body(gateway) } catch { throw BodyFailed(error: error) }
                }
            } catch let failed as BodyFailed {
                throw failed.error
            } catch KannelError.didNotStart where attempt < 3 {
                continue
            }
        }
        fatalError("unreachable")
    }

    private struct BodyFailed: Error { var error: any Error }

    private static func once<T>(_ body: (KannelHarness) async throws -> T) async throws -> T {
        let folder = NSTemporaryDirectory() + "siko-kannel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ports = try (0..<4).map { _ in try freePort() }
        let configuration = folder + "/kannel.conf"
        try """
            group = core
            admin-port = \(ports[0])
            admin-password = siko-test
            admin-allow-ip = 127.0.0.1
            smsbox-port = \(ports[1])
            box-allow-ip = 127.0.0.1
            log-file = \(folder)/bearerbox.log
            log-level = 1
            dlr-storage = internal

            group = smsc
            smsc = fake
            smsc-id = fake
            host = 127.0.0.1
            port = \(ports[2])
            connect-allow-ip = 127.0.0.1

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = \(ports[1])
            sendsms-port = \(ports[3])
            sendsms-interface = 127.0.0.1
            immediate-sendsms-reply = true
            log-file = \(folder)/smsbox.log
            log-level = 1

            group = sendsms-user
            username = siko
            password = geheim
            concatenation = true
            max-messages = 10

            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let gateway = KannelHarness(sendsmsURL: "http://127.0.0.1:\(ports[3])/cgi-bin/sendsms")
        var processes: [Process] = []
        defer {
            // A test Kannel needs no graceful stop; SIGKILL ends it at once, so the wait is short.
            for process in processes.reversed() where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        processes.append(try start(bearerbox, [configuration]))
        try await waitForPort(ports[2])
        processes.append(try start(smsbox, [configuration]))
        // fakesmsc reads messages to send from stdin and prints every message it receives.
        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: fakesmsc)
        fake.arguments = ["-H", "127.0.0.1", "-r", String(ports[2]), "-i", "0.01", "-m", "1000000"]
        fake.standardInput = Pipe()
        let pipe = Pipe()
        fake.standardOutput = pipe
        fake.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            gateway.output.withLock { $0.append(data) }
        }
        try fake.run()
        processes.append(fake)
        try await waitForPort(ports[3])
        return try await body(gateway)
    }

    /// Messages received so far, UCS-2 text decoded.
    public func received() -> [Received] {
        let text = output.withLock { String(decoding: $0, as: UTF8.self) }
        return text.split(separator: "\n").compactMap { line -> Received? in
            guard let start = line.range(of: "Got message "), let open = line[start.upperBound...].firstIndex(of: "<"),
                  line.hasSuffix(">") else { return nil }
            let fields = line[line.index(after: open)..<line.index(before: line.endIndex)].split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4 else { return nil }
            var message = Received(from: String(fields[0]), to: String(fields[1]), type: String(fields[2]), text: String(fields[3]))
            if message.type == "ucs-2" { message.text = Self.utf16BigEndian(Self.percentDecoded(message.text)) }
            return message
        }
    }

    /// Waits (bounded) until `count` parts arrived.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while received().count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return received()
    }

    /// Whole texts as a phone shows them: concatenated parts (`udh` with a 05 00 03 header:
    /// reference, total, sequence) joined in order.
    public func texts(expectedParts count: Int) async throws -> [String] {
        let parts = try await waitForMessages(count)
        var texts: [String] = []
        var pending: [Int: [Int: [UInt8]]] = [:]
        for part in parts {
            guard part.type == "udh", let range = part.text.range(of: " data ") else {
                texts.append(part.text)
                continue
            }
            let header = Self.percentDecoded(String(part.text[..<range.lowerBound]))
            guard header.count == 6 else { continue }
            let reference = Int(header[3]), total = Int(header[4]), sequence = Int(header[5])
            pending[reference, default: [:]][sequence] = Self.percentDecoded(String(part.text[range.upperBound...]))
            if pending[reference]?.count == total {
                // Joined before decoding: Kannel may split a UCS-2 surrogate pair between parts.
                let bytes = (1...total).flatMap { pending[reference]?[$0] ?? [] }
                texts.append(bytes.contains(0) ? Self.utf16BigEndian(bytes) : String(decoding: bytes, as: UTF8.self))
                pending[reference] = nil
            }
        }
        return texts
    }

    static func utf16BigEndian(_ bytes: [UInt8]) -> String {
        String(decoding: stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }, as: UTF16.self)
    }

    /// fakesmsc percent-encodes bytes (and a space as "+").
    static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return bytes
    }

    private static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw KannelError.noPort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func waitForPort(_ port: Int, timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(socket)
            if connected { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw KannelError.didNotStart(port)
    }
}

public enum KannelError: Error {
    case noPort
    case didNotStart(Int)
}
