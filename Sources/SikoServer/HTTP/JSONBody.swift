import Foundation
import Hummingbird
import SikoModel

/// Reading request bodies and writing JSON answers in the gateway's one JSON dialect.
enum JSONBody {
    private static let decoder = JSONCoding.decoder()
    private static let encoder = JSONCoding.encoder()

    /// Decodes a JSON body of at most the context's upload size; a malformed body is a 400 and a
    /// value of the wrong type a 422 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: SikoRequestContext) async throws -> T {
        try decode(T.self, from: try await collect(request, context: context))
    }

    /// As `decode`, for a body that may be left out: nil when it is empty.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request, context: SikoRequestContext) async throws -> T? {
        let buffer = try await collect(request, context: context)
        return buffer.readableBytes == 0 ? nil : try decode(T.self, from: buffer)
    }

    private static func collect(_ request: Request, context: SikoRequestContext) async throws -> ByteBuffer {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw Problem(status: .unsupportedMediaType, type: "unsupported-media-type", detail: "send the body as application/json")
        }
        var request = request
        return try await request.collectBody(upTo: context.maxUploadSize)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    static func problem(for error: DecodingError) -> Problem {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.reduce(into: "") { path, key in
                if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .validation(.init(errors: [.init(path(context), "has the wrong type", de: "hat den falschen Typ")]))
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .validation(.init(errors: [.init(path(context), context.debugDescription, de: "ungültiger Wert (\(context.debugDescription))")]))
        case .keyNotFound(let key, let context):
            return .validation(.init(errors: [.init(path(context) + (context.codingPath.isEmpty ? "" : ".") + key.stringValue, .required)]))
        default:
            return Problem(status: .badRequest, type: "malformed-json", title: "Malformed JSON", detail: "the body is not valid JSON")
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        response(json: Array(try encoder.encode(value)), status: status)
    }

    static func response(json: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }
}
