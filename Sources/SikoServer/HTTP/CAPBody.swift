import Hummingbird

/// CAP 1.2 over HTTP: `application/cap+xml` in and out.
enum CAPBody {
    static let mediaType = "application/cap+xml"

    static func isCAP(_ request: Request) -> Bool {
        request.headers[.contentType].map { $0.lowercased().hasPrefix(mediaType) } ?? false
    }

    /// True when the client asks for CAP rather than JSON (an `Accept` naming it before any JSON type).
    static func wantsCAP(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        let types = accept.split(separator: ",").map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces) }
        guard let cap = types.firstIndex(where: { $0 == mediaType || $0 == "application/xml" }) else { return false }
        let json = types.firstIndex { $0 == "application/json" || $0 == "*/*" || $0 == "application/*" }
        return json.map { cap < $0 } ?? true
    }

    static func collect(_ request: Request, context: SikoRequestContext) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.uploadLimit(for: request))
        return Array(buffer.readableBytesView)
    }

    static func response(_ xml: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: mediaType], body: .init(byteBuffer: ByteBuffer(bytes: xml)))
    }
}
