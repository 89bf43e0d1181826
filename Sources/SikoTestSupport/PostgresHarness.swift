import Foundation
import Logging
import PostgresNIO
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster (Debian's `postgresql`) for one test run: `initdb` into a
/// temporary folder, `pg_ctl` on 127.0.0.1 and a free port, `fsync` left on, trust for local
/// connections; stopped when the process exits. Each test takes a database of its own.
public enum PostgresHarness {
    /// The newest installed server's programs (`/usr/lib/postgresql/N/bin`).
    public static var binaries: String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.reversed().map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    public static var available: Bool { binaries != nil }

    public struct Cluster: Sendable {
        public var folder: String
        public var port: Int
        public var bin: String
        public var user: String { "siko" }

        /// The URL of a database in this cluster.
        public func url(_ database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable" }

        /// A new, empty database; answers its URL. Made over a connection of its own rather than by
        /// psql: every child process is a SIGCHLD, and a test run makes a database per test.
        public func database() async throws -> String {
            let name = "siko_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            var logger = Logger(label: "siko-test-cluster")
            logger.logLevel = .warning
            let connection = try await PostgresConnection.connect(
                configuration: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: "postgres", tls: .disable),
                id: 1, logger: logger
            )
            do {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
            return url(String(name))
        }

        /// Stops the server and starts it again on the same port (`pg_ctl restart -m fast`).
        public func restart() async throws {
            try await offPool { try asOwner(bin + "/pg_ctl", ["-D", folder + "/data", "-m", "fast", "-w", "-l", folder + "/server.log", "restart"]) }
        }

        /// Stops the server at once and removes its files.
        public func stop() async throws {
            try await offPool { try PostgresHarness.stop(self) }
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case missing
        case command(String, String)
        public var description: String {
            switch self {
            case .missing: "Debian's postgresql is missing (no /usr/lib/postgresql/N/bin/initdb): run `make test`"
            case .command(let command, let output): "\(command) failed: \(output)"
            }
        }
    }

    private static let cluster = Mutex<Task<Cluster, any Error>?>(nil)

    /// The run's cluster, started on first use.
    public static func shared() async throws -> Cluster {
        let task = cluster.withLock { task in
            if let task { return task }
            let started = Task<Cluster, any Error> {
                try await offPool { try start() }
            }
            task = started
            return started
        }
        return try await task.value
    }

    /// Every cluster still running when the process ends, the run's and tests' own: a test that
    /// failed half-way must not leave a server behind.
    private static let running = Mutex<[String: Cluster]>([:])

    private static let stopAtExit: Void = {
        atexit { for cluster in PostgresHarness.running.withLock({ $0.values }) { try? PostgresHarness.stop(cluster) } }
    }()

    /// A new, empty database in the run's cluster; answers its URL.
    public static func database() async throws -> String {
        try await shared().database()
    }

    /// A cluster of the caller's own, for a test that restarts or stops its server; the caller stops it.
    public static func ownCluster() async throws -> Cluster {
        try await offPool { try start() }
    }

    /// Runs blocking work (a child process and its wait) on a thread of its own: on the two
    /// threads of the concurrency pool it would starve every other test.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    private static func start() throws -> Cluster {
        guard let bin = binaries else { throw Failure.missing }
        let folder = NSTemporaryDirectory() + "siko-postgres-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // initdb refuses to run as root: the cluster then belongs to the `postgres` user Debian's package made.
        if getuid() == 0 { try run("/bin/chown", ["postgres:postgres", folder]) }
        let port = try KannelHarness.freePort()
        try asOwner(bin + "/initdb", ["-D", folder + "/data", "-U", "siko", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"])
        try """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(folder)'
            fsync = on
            max_connections = 200

            """.write(toFile: folder + "/data/postgresql.auto.conf", atomically: false, encoding: .utf8)
        if getuid() == 0 { try run("/bin/chown", ["postgres:postgres", folder + "/data/postgresql.auto.conf"]) }
        _ = stopAtExit
        let cluster = Cluster(folder: folder, port: port, bin: bin)
        running.withLock { $0[folder] = cluster }
        try asOwner(bin + "/pg_ctl", ["-D", folder + "/data", "-w", "-l", folder + "/server.log", "start"])
        return cluster
    }

    static func stop(_ cluster: Cluster) throws {
        running.withLock { _ = $0.removeValue(forKey: cluster.folder) }
        try asOwner(cluster.bin + "/pg_ctl", ["-D", cluster.folder + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: cluster.folder)
    }

    static func asOwner(_ executable: String, _ arguments: [String]) throws {
        if getuid() == 0 { try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments) } else { try run(executable, arguments) }
    }

    /// Runs a command to its end with posix_spawn and waitpid, its output in a file (a pipe would
    /// be held open by the server pg_ctl starts).
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which Swift's Glibc module does not
    /// import; without it, the open descriptors are closed one by one as /proc lists them.
    private static func closeFrom(_ lowest: Int32, _ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
            return
        }
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap(Int32.init)
        for descriptor in open where descriptor >= lowest { posix_spawn_file_actions_addclose(&actions, descriptor) }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let log = NSTemporaryDirectory() + "siko-postgres-command-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process may stay open in the child: the server pg_ctl starts lives
        // on, and an inherited end of the socket pair by which Foundation's `Process` learns that
        // another test's child exited would keep that test's `waitUntilExit` waiting for ever.
        closeFrom(3, &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A child inherits the spawning thread's signal mask; the server must get its signals.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Failure.command(executable, String(cString: strerror(spawned))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // Exited normally with 0: WIFEXITED and WEXITSTATUS, which Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Failure.command(([executable] + arguments).joined(separator: " "), text)
        }
        return text
    }
}
