import Foundation
import Hummingbird
import SikoModel
import SikoCore

/// An RFC 9457 problem: every error the API answers, as `application/problem+json`.
public struct Problem: Error, HTTPResponseError, Encodable, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String?
    public var errors: [FieldError]?
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, type: String? = nil, title: String? = nil, detail: String? = nil, errors: [FieldError]? = nil) {
        self.status = status
        self.type = type.map { "urn:siko:problem:\($0)" } ?? "about:blank"
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        let body = try JSONEncoder().encode(self)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func validation(_ failure: ValidationFailure) -> Problem {
        Problem(status: .unprocessableContent, type: "validation", title: "Validation failed", detail: "\(failure.errors.count) field(s) are not valid", errors: failure.errors)
    }

    static func unauthorized() -> Problem {
        var problem = Problem(status: .unauthorized, type: "unauthorized", title: "Unauthorized", detail: "send a valid API key as 'Authorization: Bearer <key>'")
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }

    /// 429 with `Retry-After` in whole seconds, at least one.
    static func rateLimited(after wait: TimeInterval, detail: String) -> Problem {
        let seconds = max(1, Int(wait.rounded(.up)))
        var problem = Problem(status: .tooManyRequests, type: "rate-limited", title: "Too many requests", detail: "\(detail); try again in \(seconds) s")
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }

    /// Seconds a caller waits before trying a write again that the store refused.
    static let storeRetryAfter = 5

    /// 503 with `Retry-After`: the store refuses writes for now; nothing was stored.
    static func storeUnavailable(_ refusal: StoreRefusal, type: String = "store-unavailable") -> Problem {
        var problem = Problem(
            status: .serviceUnavailable, type: type, title: "Store unavailable",
            detail: refusal.mayHaveApplied
                ? "the store cannot take writes now (\(refusal.reason)); try again in \(storeRetryAfter) s, with the same Idempotency-Key or externalId, which finds a write that was stored as the connection broke"
                : "the store cannot take writes now (\(refusal.reason)); nothing was changed; try again in \(storeRetryAfter) s"
        )
        problem.headers[.retryAfter] = String(storeRetryAfter)
        return problem
    }

    static func notFound(_ what: String) -> Problem {
        Problem(status: .notFound, type: "not-found", title: "Not found", detail: "\(what) does not exist or is not yours to see")
    }
}
