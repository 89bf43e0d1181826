import ArgumentParser
import Foundation
import Logging
import SikoConfig
import SikoModel
import SikoStore

enum CLI {
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

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

    static func openStore(_ options: DataOptions) throws -> SQLiteStore {
        try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
        let path = (options.data as NSString).appendingPathComponent("siko.sqlite")
        do {
            let sealer = try SecretSealer.load(environmentValue: ProcessInfo.processInfo.environment["SIKO_SECRET_KEY"], keyFilePath: path + ".key")
            return try SQLiteStore(path: path, sealer: sealer)
        } catch let error as SecretSealer.KeyError {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
