import ArgumentParser
import Foundation
import Logging
import SikoConfig
import SikoCore
import SikoModel
import SikoPostgres
import SikoSQLite

struct StoreCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "Move an installation's store.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every table of a store into a new, empty one (e.g. from SQLite to PostgreSQL), in one transaction.",
            discussion: """
                The source must not be served meanwhile; the target is migrated first and must hold nothing. Sealed \
                secrets are re-sealed with the target's key (PostgreSQL: SIKO_SECRET_KEY) when it differs from the \
                source's, which is found among SIKO_SOURCE_SECRET_KEY, the key file beside an SQLite source and SIKO_SECRET_KEY.
                """
        )

        @Option(help: "The store to copy: sqlite:DIR/siko.sqlite (or the data folder, sqlite:DIR) or postgres://USER@HOST:PORT/DB.")
        var from: String

        @Option(help: "The new store: sqlite:PATH (or sqlite:DIR) or postgres://USER@HOST:PORT/DB.")
        var to: String

        func run() async throws {
            do {
                try await copy()
            } catch let error as ExitCode {
                throw error
            } catch {
                let known = error is Refusal || error is TableCopier.Refusal || error is SecretResealer.KeyRefusal
                    || error is SecretSealer.KeyError || error is PostgresTables.Unreachable
                CLI.printError("error: " + (known ? "\(error)" : "the copy failed; \(URLPassword.hidden(in: to)) holds none of the source's rows: \(PostgresPool.reason(error))"))
                throw ExitCode(1)
            }
        }

        struct Refusal: Error, CustomStringConvertible {
            var description: String
        }

        enum Role: String {
            case source, target
        }

        private func copy() async throws {
            let source = try Self.location(from, flag: "--from"), target = try Self.location(to, flag: "--to")
            guard source != target else { throw Refusal(description: "--from and --to name the same store") }
            if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
                throw Refusal(description: "there is no store at \(source)")
            }
            let locks = try Locks(source: source, target: target)
            let sourceTables = try await Self.open(source, as: .source)
            let targetTables: any StoreTables
            do {
                targetTables = try await Self.open(target, as: .target)
            } catch {
                await sourceTables.close()
                throw error
            }
            do {
                try await copy(sourceTables, source, into: targetTables, target)
            } catch {
                await sourceTables.close()
                await targetTables.close()
                throw error
            }
            await sourceTables.close()
            await targetTables.close()
            withExtendedLifetime(locks) {}
        }

        private func copy(_ sourceTables: any StoreTables, _ source: StoreLocation, into targetTables: any StoreTables, _ target: StoreLocation) async throws {
            // The keys first: a missing SIKO_SECRET_KEY must refuse before the target is migrated.
            let (candidates, targetKey) = (try Self.sourceKeys(source), try Self.targetKey(target))
            let copier = TableCopier(source: sourceTables, target: targetTables)
            let plan = try await copier.plan()
            let secrets = try SecretResealer(canary: try await copier.sourceCanary(), candidates: candidates, target: targetKey)
            let started = ContinuousClock.now
            let copied = try await copier.copy(plan, secrets: secrets)
            CLI.printTable(["table", "rows"], copied.map { [$0.table.name, String($0.rows)] })
            let total = copied.reduce(0) { $0 + $1.rows }
            let seconds = (ContinuousClock.now - started).components.seconds
            print("copied \(total) rows from \(source) to \(target) in \(seconds) s" + (secrets.reseals ? "; secrets re-sealed with the target's key" : ""))
        }

        /// `sqlite:DIR` stands for the data folder's file, as `--data DIR` does: a path that is a
        /// folder, or one not there yet whose name has no extension (`sqlite:./data`).
        static func location(_ text: String, flag: String) throws -> StoreLocation {
            let location: StoreLocation
            do {
                location = try StoreLocation(url: text)
                if case .postgres(let url) = location { _ = try PostgresURL(url) }
            } catch let error as PostgresURL.Invalid {
                throw Refusal(description: "\(flag): '\(error.url)' is not a PostgreSQL URL this gateway can use: \(error.reason)")
            } catch {
                throw Refusal(description: "\(flag): '\(URLPassword.hidden(in: text))' is not a store this gateway knows; use sqlite:DIR/siko.sqlite or postgres://USER@HOST:PORT/DB")
            }
            guard case .sqlite(let path) = location else { return location }
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            return isFolder.boolValue || (!exists && (path as NSString).pathExtension.isEmpty) ? StoreLocation(dataFolder: path) : location
        }

        /// A source is opened read-only. Gateways serving a PostgreSQL store keep a connection
        /// listening; on SQLite the data-folder lock (`Locks`) has told already.
        static func open(_ location: StoreLocation, as role: Role) async throws -> any StoreTables {
            switch location {
            case .sqlite(let path):
                return try SQLiteTables(path: path, readOnly: role == .source)
            case .postgres(let text):
                // The command says itself what failed; postgres-nio's own warnings would only repeat it.
                var logger = Logger(label: "siko.postgres")
                logger.logLevel = .error
                let tables = try await PostgresTables(url: try PostgresURL(text), logger: logger)
                let gateways = try await tables.listeningGateways()
                guard gateways == 0 else {
                    await tables.close()
                    throw Refusal(description: "a gateway is serving the \(role.rawValue) \(location) (\(gateways) listening); stop every gateway on it before copying")
                }
                return tables
            }
        }

        /// The keys that may have sealed the source's secrets, the source's own first.
        static func sourceKeys(_ location: StoreLocation) throws -> [(name: String, sealer: SecretSealer)] {
            let environment = ProcessInfo.processInfo.environment
            func variable(_ name: String) throws -> (name: String, sealer: SecretSealer)? {
                guard let key = environment[name], !key.isEmpty else { return nil }
                do {
                    return (name, try SecretSealer.load(environmentValue: key, keyFilePath: ""))
                } catch SecretSealer.KeyError.malformed {
                    throw SecretSealer.KeyError.malformed(source: name)
                }
            }
            var keys = try [variable("SIKO_SOURCE_SECRET_KEY")].compactMap { $0 }
            if case .sqlite(let path) = location, FileManager.default.fileExists(atPath: path + ".key") {
                keys.append(("the key file \(path).key", try SecretSealer.keyFile(at: path + ".key")))
            }
            return keys + [try variable("SIKO_SECRET_KEY")].compactMap { $0 }
        }

        /// The key the target's gateways will seal with, as `siko serve` would take it.
        static func targetKey(_ location: StoreLocation) throws -> SecretSealer {
            let key = ProcessInfo.processInfo.environment["SIKO_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            switch location {
            case .sqlite(let path): return try SecretSealer.load(environmentValue: key, keyFilePath: path + ".key")
            case .postgres:
                guard let key else {
                    throw Refusal(description: "with PostgreSQL the secret key comes from SIKO_SECRET_KEY (32 random bytes in base64, e.g. `openssl rand -base64 32`), the same for every gateway on the database")
                }
                return try SecretSealer.load(environmentValue: key, keyFilePath: "")
            }
        }
    }
}

/// The data-folder locks of the SQLite stores of a copy, held until it ends: no `siko serve`
/// starts on either meanwhile, and one that serves already makes the copy refuse.
private struct Locks {
    let held: [DataDirectoryLock]

    init(source: StoreLocation, target: StoreLocation) throws {
        var held: [DataDirectoryLock] = []
        var folders: Set<String> = []
        for (location, role) in [(source, StoreCommands.Copy.Role.source), (target, .target)] {
            guard case .sqlite(let path) = location else { continue }
            let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
            guard folders.insert(folder).inserted else { continue }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                held.append(try DataDirectoryLock(directory: folder))
            } catch is DataDirectoryLock.Busy {
                throw StoreCommands.Copy.Refusal(
                    description: "a gateway is serving the \(role.rawValue) \(location) (\((folder as NSString).appendingPathComponent("siko.lock")) is held); stop it before copying"
                )
            }
        }
        self.held = held
    }
}
