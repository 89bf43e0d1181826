import ArgumentParser
import Foundation
import Logging
import SikoConfig
import SikoModel
import SikoCore
import SikoPostgres
import SikoSQLite

enum CLI {
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A table for people and for `cut -f`: a header line, then one tab-separated line per row.
    static func printTable(_ header: [String], _ rows: [[String]]) {
        print(header.joined(separator: "\t"))
        for row in rows { print(row.joined(separator: "\t")) }
    }

    static func time(_ date: Date?) -> String { date.map(JSONCoding.format) ?? "-" }

    static func bootstrapLogging() {
        let environment = ProcessInfo.processInfo.environment
        let level = environment["SIKO_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if environment["SIKO_LOG_FORMAT"] == "json" {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, logLevel: level) }
            return
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    static func loadRules(_ options: ConfigOptions) throws -> RuleSet {
        do {
            return try RulesLoader(directory: options.rules).load()
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    /// The services on the store `options` name.
    static func services(_ options: DataOptions) async throws -> CommandServices {
        CommandServices(store: try await openStore(options).store)
    }

    /// The store `options` name, its secrets' key checked. The embedded store's key is
    /// `SIKO_SECRET_KEY` or the file beside the database; PostgreSQL's is `SIKO_SECRET_KEY` only,
    /// since every gateway on one database must seal with the same key.
    static func openStore(_ options: DataOptions) async throws -> (store: any Store, sealer: SecretSealer) {
        let environment = ProcessInfo.processInfo.environment
        do {
            switch try options.location() {
            case .sqlite(let path):
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let sealer = try SecretSealer.load(environmentValue: environment["SIKO_SECRET_KEY"], keyFilePath: path + ".key")
                let store = try SQLiteStore(path: path, sealer: sealer)
                try await sealer.prepare(store)
                return (store, sealer)
            case .postgres(let text):
                guard let key = environment["SIKO_SECRET_KEY"], !key.isEmpty else {
                    printError("error: with PostgreSQL the secret key comes from SIKO_SECRET_KEY (32 random bytes in base64, e.g. `openssl rand -base64 32`), the same for every gateway on the database")
                    throw ExitCode(1)
                }
                let sealer = try SecretSealer.load(environmentValue: key, keyFilePath: "")
                let url = try PostgresURL(text)
                let store: PostgresStore
                do {
                    store = try await PostgresStore(database: try PostgresPool(url: url, logger: Logger(label: "siko.postgres")), sealer: sealer)
                } catch let error as MigrationFailed {
                    throw error
                } catch {
                    printError("error: cannot open the store at \(url): \(PostgresPool.reason(error))")
                    throw ExitCode(1)
                }
                try await sealer.prepare(store)
                return (store, sealer)
            }
        } catch let error as SecretSealer.KeyError {
            printError("error: \(error)")
            throw ExitCode(1)
        } catch let error as PostgresURL.Invalid {
            printError("error: \(error)")
            throw ExitCode(1)
        } catch let error as MigrationFailed {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
