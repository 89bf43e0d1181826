import Foundation
import Logging
import PostgresNIO
import SikoModel

extension PostgresStore: SecretStore {
    /// Two gateways creating the same secret at once: the primary key lets one insert win, the
    /// other's insert waits for it and does nothing, and both read the winner's value.
    public func sealedSecret(named name: String, create: @escaping @Sendable () -> String) async throws -> String {
        if let stored = try await secret(named: name) { return stored }
        try await execute("INSERT INTO secret (name, value) VALUES (\(name), \(create())) ON CONFLICT (name) DO NOTHING")
        guard let stored = try await secret(named: name) else { throw StoreError.corrupt("secret '\(name)' vanished as it was written") }
        return stored
    }

    private func secret(named name: String) async throws -> String? {
        try await rows("SELECT value FROM secret WHERE name = \(name)").first?.decode(String.self)
    }

    /// A database from before sealing holds its secrets in the clear: each is sealed once. The rows
    /// are locked as they are read, so a gateway starting at the same time waits, then finds them
    /// sealed and leaves them alone instead of sealing twice.
    public func sealCleartextSecrets(with seal: @escaping @Sendable (String) -> String) async throws {
        let pattern = Self.sealedPattern
        try await transaction { connection in
            let subscriptions = try await connection.rows("""
                SELECT id, secret FROM subscription WHERE secret IS NOT NULL AND secret NOT LIKE \(pattern) FOR UPDATE
                """, logger: self.logger).map { try $0.decode((String, String).self) }
            if !subscriptions.isEmpty {
                try await connection.execute("""
                    UPDATE subscription AS s SET secret = v.secret
                    FROM unnest(\(subscriptions.map(\.0)), \(subscriptions.map { seal($0.1) })) AS v(id, secret) WHERE s.id = v.id
                    """, logger: self.logger)
            }
            let secrets = try await connection.rows("SELECT name, value FROM secret WHERE value NOT LIKE \(pattern) FOR UPDATE", logger: self.logger)
                .map { try $0.decode((String, String).self) }
            if !secrets.isEmpty {
                try await connection.execute("""
                    UPDATE secret AS s SET value = v.value
                    FROM unnest(\(secrets.map(\.0)), \(secrets.map { seal($0.1) })) AS v(name, value) WHERE s.name = v.name
                    """, logger: self.logger)
            }
        }
    }

    /// What `SecretSealing` writes starts so; anything else was written in the clear.
    private static let sealedPattern = "sealed:%"
}
