/// Secrets the gateway keeps itself (the SMS callback key, the sealing canary), sealed by the caller.
public protocol SecretStore: Sendable {
    /// The sealed value stored under `name`, or `create()`'s, stored first when there is none yet.
    /// Atomic: two processes asking at once end up with one value.
    func sealedSecret(named name: String, create: @escaping @Sendable () -> String) async throws -> String
    /// Secrets written before sealing existed, sealed once in place with `seal` (a start-up upgrade).
    func sealCleartextSecrets(with seal: @escaping @Sendable (String) -> String) async throws
}

/// Seals secrets before they are written and opens them after they are read. Both engines take the
/// same implementation, so a database's secrets do not depend on the engine that wrote them.
public protocol SecretSealing: Sendable {
    func seal(_ bytes: [UInt8]) -> String
    func unsealBytes(_ sealed: String) throws -> [UInt8]
}

extension SecretSealing {
    public func seal(_ plaintext: String) -> String { seal(Array(plaintext.utf8)) }
    public func unseal(_ sealed: String) throws -> String { String(decoding: try unsealBytes(sealed), as: UTF8.self) }
}
