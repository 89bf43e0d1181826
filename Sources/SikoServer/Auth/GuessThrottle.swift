import Foundation
import HTTPTypes
import Hummingbird
import SikoModel

/// Slows guessing keys: each request whose key is unknown spends a token of its client address,
/// and an address with none left is refused before its key is even looked at, so a right guess
/// gets no further than a wrong one.
struct GuessThrottle: Sendable {
    static let forwardedFor = HTTPField.Name("x-forwarded-for")!

    /// Nil: no limit.
    let limiter: RateLimiter?
    let addresses: ClientAddress

    /// The name of the request's client for the limiter; empty when there is no limit.
    func client(of request: Request, context: SikoRequestContext) -> String {
        guard limiter != nil else { return "" }
        return ClientAddress.bucket(of: addresses.client(peer: context.peer, forwardedFor: request.headers[values: Self.forwardedFor]))
    }

    /// Throws 429 when `client` has no guesses left.
    func admit(_ client: String, now: Date) throws {
        guard let wait = limiter?.wait(key: client, now: now) else { return }
        throw Problem.rateLimited(after: wait, detail: "too many requests with unknown keys came from this address")
    }

    /// Spends one of `client`'s guesses.
    func missed(_ client: String, now: Date) {
        _ = limiter?.take(key: client, now: now)
    }
}
