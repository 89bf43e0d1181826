import SikoModel
import Synchronization

extension SecretSealer {
    /// Proves with a sealed canary that this is the key the store's secrets were sealed with: a
    /// wrong key stops the start instead of failing every signature later. A store from before
    /// sealing has no canary: its cleartext secrets are sealed once, when the canary is made, so
    /// later starts do not scan the secrets again.
    public func prepare(_ store: any SecretStore) async throws {
        let made = Mutex(false)
        let canary = try await store.sealedSecret(named: "sealer-canary") {
            made.withLock { $0 = true }
            return seal("canary")
        }
        guard (try? unseal(canary)) == "canary" else { throw KeyError.wrongKey }
        if made.withLock({ $0 }) { try await store.sealCleartextSecrets { seal($0) } }
    }

    /// A secret the gateway keeps for itself, made by `create` on first use and kept sealed.
    public func secret(named name: String, in store: any SecretStore, create: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8] {
        try unsealBytes(try await store.sealedSecret(named: name) { seal(create()) })
    }
}
