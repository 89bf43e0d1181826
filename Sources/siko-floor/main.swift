import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization

// The floor of `siko-bench peer`: the gateway's API on the same libraries (Hummingbird,
// AsyncHTTPClient, Codable), doing only what the workload needs and keeping nothing. What it costs
// is what the libraries cost; what the gateway costs beyond it is the gateway's own work
// (authentication, rules, policies, the durable store, tracking every delivery).

/// What the load client posts, as the gateway reads it.
struct Submission: Decodable {
    let externalId: String?
    let topic: String
    let urgency: String
    let areas: [String]
    let title: String
    let body: String
}

struct Subscribing: Decodable {
    let areas: [String]
    let target: String
}

/// What the receiver gets: the event with its id.
struct Notification: Encodable {
    let id: String
    let topic: String
    let urgency: String
    let areas: [String]
    let title: String
    let body: String
}

// `siko-bench` makes a key with `siko keys create` before it serves; any key will do here.
if CommandLine.arguments.dropFirst().first == "keys" {
    print("floor")
    exit(0)
}

let targets = Mutex<[String: String]>([:])
let client = HTTPClient(eventLoopGroupProvider: .singleton)
let router = Router()
router.get("/ready") { _, _ in "ok" }
router.post("/v1/subscriptions") { request, context -> Response in
    let subscribing = try await request.decode(as: Subscribing.self, context: context)
    targets.withLock { for area in subscribing.areas { $0[area] = subscribing.target } }
    return Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: "{}")))
}
router.post("/v1/events") { request, context -> Response in
    let event = try await request.decode(as: Submission.self, context: context)
    let matched = targets.withLock { targets in
        event.areas.compactMap { targets[$0] } + (event.urgency == "critical" ? [targets["ruhr"]].compactMap { $0 } : [])
    }
    let id = UUID().uuidString
    let body = try JSONEncoder().encode(Notification(
        id: id, topic: event.topic, urgency: event.urgency, areas: event.areas, title: event.title, body: event.body
    ))
    for target in matched {
        Task {
            var post = HTTPClientRequest(url: target)
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/json")
            post.body = .bytes(ByteBuffer(bytes: body))
            if let response = try? await client.execute(post, timeout: .seconds(10)) { _ = try? await response.body.collect(upTo: 1 << 20) }
        }
    }
    return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: "{\"id\":\"\(id)\"}")))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { channel in
    print("url=http://127.0.0.1:\(channel.localAddress?.port ?? 0)")
    fflush(nil)
})
try await app.runService()
