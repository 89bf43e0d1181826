import Foundation
import HummingbirdBcrypt
import SikoModel
import Synchronization

/// bcrypt at cost 12 (a quarter second or so per hash here), off the cooperative pool, whose few
/// threads it would otherwise block. A login that does not exist is checked against a dummy hash
/// of the same cost, so the time taken does not tell which logins exist.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let dummy: DummyHash

    public static let productCost: UInt8 = 12
    public static let standard = PasswordHasher(cost: productCost)
    /// For tests only: cost 4 hashes in a millisecond; the product never uses it.
    public static let testing = PasswordHasher(uncheckedCost: 4)

    public init(cost: UInt8) {
        precondition(cost >= Self.productCost, "passwords are hashed at cost \(Self.productCost) or more")
        self.init(uncheckedCost: cost)
    }

    private init(uncheckedCost cost: UInt8) {
        self.cost = cost
        dummy = DummyHash(cost: cost)
    }

    public func hash(_ password: String) async -> String {
        let cost = cost
        return await Self.offload { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash (an unknown login) it checks the dummy and answers false.
    public func verify(_ password: String, hash: String?) async -> Bool {
        let dummy = dummy
        let matches = await Self.offload { Bcrypt.verify(password, hash: hash ?? dummy.value()) }
        return matches && hash != nil
    }

    /// Makes the dummy hash now, so not even the first unknown login takes longer than a known one.
    public func prepare() async {
        let dummy = dummy
        _ = await Self.offload { dummy.value() }
    }

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}

/// Made on first use, not at start: a command that never checks a password pays nothing for it.
private final class DummyHash: Sendable {
    let cost: UInt8
    private let made = Mutex<String?>(nil)

    init(cost: UInt8) { self.cost = cost }

    func value() -> String {
        made.withLock { made in
            if let made { return made }
            let hash = Bcrypt.hash(Identifier.randomToken(length: 24), cost: cost)
            made = hash
            return hash
        }
    }
}
