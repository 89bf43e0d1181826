import SikoModel

/// Moves a copy's sealed secrets (webhook and request-signing secrets, TOTP secrets, the
/// gateway's own keys) from the source's sealing key to the target's. When the keys differ the
/// secrets are re-sealed rather than the copy refused: an installation moving up from SQLite
/// sealed with the key file beside its database, while gateways on PostgreSQL take theirs from
/// SIKO_SECRET_KEY, and re-sealing lets the operator give the shared database a fresh key instead
/// of carrying the file's key into every gateway's environment.
public struct SecretResealer: Sendable {
    /// The key that opens the source's secrets; nil when they move as they are.
    private let source: SecretSealer?
    private let target: SecretSealer

    public var reseals: Bool { source != nil }

    public struct KeyRefusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// The source's key is the one of `candidates` (named for people) that opens its sealing
    /// `canary`; when the target's opens it too, the keys are the same and nothing is re-sealed.
    /// Without a canary the source was never opened by a command that seals, so it holds no
    /// sealed secret.
    public init(canary: String?, candidates: [(name: String, sealer: SecretSealer)], target: SecretSealer) throws {
        self.target = target
        guard let canary, !Self.opens(target, canary) else {
            source = nil
            return
        }
        guard let found = candidates.first(where: { Self.opens($0.sealer, canary) }) else {
            let tried = (["the target's key"] + candidates.map(\.name)).joined(separator: ", ")
            throw KeyRefusal(description: "no key at hand opens the source's secrets (tried \(tried)); set SIKO_SOURCE_SECRET_KEY to the key the source was served with")
        }
        source = found.sealer
    }

    /// `cell` sealed with the target's key; what is not sealed (a secret from before sealing) stays as it is.
    func reseal(_ cell: StoredCell, column: String) throws -> StoredCell {
        guard let source, case .text(let text) = cell, SecretSealer.isSealed(text) else { return cell }
        do {
            return .text(target.seal(try source.unsealBytes(text)))
        } catch {
            throw StoreError.corrupt("\(column) holds a secret the source's key does not open")
        }
    }

    private static func opens(_ sealer: SecretSealer, _ canary: String) -> Bool { (try? sealer.unseal(canary)) == "canary" }
}
