import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes

/// A real HTTP receiver on 127.0.0.1 that records every POST and answers with a scripted status.
public actor Inbox {
    public struct Received: Sendable {
        public var headers: [String: String]
        public var body: Data
        /// The query of the target (`?for=…`), so one receiver stands for several.
        public var query: String? = nil
    }

    public private(set) var received: [Received] = []
    private var script: [HTTPResponse.Status]

    /// How long the receiver takes before answering (a slow partner endpoint).
    public let delay: Duration
    /// Sent as `Retry-After` with every answer that is not 2xx.
    public let retryAfter: String?

    /// Answers each request with the next status of `script`; the last one repeats.
    public init(answers script: [HTTPResponse.Status] = [.noContent], delay: Duration = .zero, retryAfter: String? = nil) {
        self.script = script
        self.delay = delay
        self.retryAfter = retryAfter
    }

    public func record(_ request: Received) -> HTTPResponse.Status {
        received.append(request)
        return script.count > 1 ? script.removeFirst() : script[0]
    }

    public static func serve<T: Sendable>(_ inbox: Inbox, _ body: @escaping @Sendable (_ url: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            // HTTP/1.1's Host header arrives as the request's authority.
            headers["host"] = request.head.authority
            let status = await inbox.record(Received(headers: headers, body: Data(buffer: buffer), query: request.uri.query))
            if inbox.delay > .zero { try await Task.sleep(for: inbox.delay) }
            var answer = HTTPFields()
            if let retryAfter = inbox.retryAfter, status.kind != .successful { answer[.retryAfter] = retryAfter }
            return Response(status: status, headers: answer)
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/hook")
        }
    }
}
