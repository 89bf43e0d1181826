import Crypto
import Foundation
import SikoModel

/// Seals secrets (webhook signing secrets, request-signing secrets, the gateway's own keys) with
/// AES-256-GCM before they reach the database, so a copied database file reveals none of them.
/// The key comes from `SIKO_SECRET_KEY` (base64, 32 bytes) or a key file beside the database.
public struct SecretSealer: SecretSealing {
    private let key: SymmetricKey
    static let prefix = "sealed:v1:"

    public init(key: SymmetricKey) {
        self.key = key
    }

    public enum KeyError: Error, CustomStringConvertible {
        case malformed(source: String)
        case unreadable(path: String, reason: String)
        case wrongKey

        public var description: String {
            switch self {
            case .malformed(let source): "\(source) must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"
            case .unreadable(let path, let reason): "cannot read or create the secret key file \(path): \(reason)"
            case .wrongKey: "the secret key does not open this database's secrets (was SIKO_SECRET_KEY or the key file changed?)"
            }
        }
    }

    /// The key from `environmentValue` (base64) when given, else from `keyFile`, which is created
    /// with mode 0600 on first use.
    public static func load(environmentValue: String?, keyFilePath: String) throws -> SecretSealer {
        if let text = environmentValue, !text.isEmpty {
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw KeyError.malformed(source: "SIKO_SECRET_KEY")
            }
            return SecretSealer(key: SymmetricKey(data: bytes))
        }
        return try keyFile(at: keyFilePath)
    }

    public static func keyFile(at path: String) throws -> SecretSealer {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw KeyError.malformed(source: path)
            }
            return SecretSealer(key: SymmetricKey(data: bytes))
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n"
        // O_EXCL: two processes starting at once must not each write a different key.
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return try keyFile(at: path) }
            throw KeyError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { Glibc.close(descriptor) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, text.utf8.count) }
        guard written == text.utf8.count, fsync(descriptor) == 0 else {
            throw KeyError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return SecretSealer(key: key)
    }

    public func seal(_ bytes: [UInt8]) -> String {
        // AES-GCM with a fresh random nonce cannot fail for inputs of this size.
        let box = try! AES.GCM.seal(bytes, using: key)
        return Self.prefix + box.combined!.base64EncodedString()
    }

    public static func isSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    public func unsealBytes(_ sealed: String) throws -> [UInt8] {
        guard Self.isSealed(sealed), let combined = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else {
            throw KeyError.wrongKey
        }
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key))
        } catch {
            throw KeyError.wrongKey
        }
    }}
