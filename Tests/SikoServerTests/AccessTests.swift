import SikoTestSupport
import SikoTestGateway
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

/// Guessing keys is slowed per client address, and `/metrics` can be closed with a token.
@Suite("Access: unknown keys limited per address, trusted proxies, the metrics token")
struct AccessTests {
    func get(_ client: some TestClientProtocol, _ path: String, key: String, from address: String? = nil) async throws -> (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields) {
        var headers = HTTPFields()
        if let address { headers[HTTPField.Name("x-forwarded-for")!] = address }
        return try await client.json(.get, path, key: key, headers: headers)
    }

    @Test("past the burst, unknown keys from one address get 429, even a right key from there; other addresses behind a trusted proxy do not")
    func unknownKeysPerAddress() async throws {
        // A stopped clock: no guess comes back during the test, however slow the machine.
        let clock = ManualClock(utc("2026-11-25T08:00:00Z"))
        let access = AccessSettings(unknownKeyLimit: .init(rate: 0.1, burst: 5), trustedProxies: [CIDR("127.0.0.1/32")!])
        try await TestGateway.withGateway(access: access, clock: clock) { fixture in
            let real = try await fixture.key("stadt-essen", .eventsPublish)
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                for number in 0..<5 {
                    #expect(try await get(client, "/v1/topics", key: "siko_guess\(number)_x").status == .unauthorized)
                }
                let limited = try await get(client, "/v1/topics", key: "siko_guess5_x")
                #expect(limited.status == .tooManyRequests)
                #expect(limited.headers[.contentType] == "application/problem+json")
                #expect(limited.body["type"] as? String == "urn:siko:problem:rate-limited")
                #expect(limited.headers[.retryAfter] == "10")
                #expect(try await get(client, "/v1/topics", key: real).status == .tooManyRequests, "a right guess gets no further than a wrong one")

                // The proxy at 127.0.0.1 is trusted: the address it names is the client, with guesses of its own.
                for number in 0..<5 {
                    #expect(try await get(client, "/v1/topics", key: "siko_proxied\(number)_x", from: "203.0.113.7").status == .unauthorized)
                }
                #expect(try await get(client, "/v1/topics", key: "siko_proxied5_x", from: "203.0.113.7").status == .tooManyRequests)
                // A client cannot pick its address by writing the header itself: the proxy appends the real one.
                #expect(try await get(client, "/v1/topics", key: "siko_proxied6_x", from: "198.51.100.1, 203.0.113.7").status == .tooManyRequests)
                #expect(try await get(client, "/v1/topics", key: real, from: "198.51.100.20").status == .ok)

                clock.advance(by: 10)
                #expect(try await get(client, "/v1/topics", key: real).status == .ok, "ten seconds later one guess is back")
            }
        }
    }

    @Test("X-Forwarded-For from a peer that is not a trusted proxy is ignored")
    func untrustedForwardedFor() async throws {
        let clock = ManualClock(utc("2026-11-25T08:00:00Z"))
        try await TestGateway.withGateway(access: AccessSettings(unknownKeyLimit: .init(rate: 0.1, burst: 2)), clock: clock) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                for number in 0..<2 {
                    #expect(try await get(client, "/v1/topics", key: "siko_guess\(number)_x", from: "203.0.113.\(number)").status == .unauthorized)
                }
                let limited = try await get(client, "/v1/topics", key: "siko_guess2_x", from: "203.0.113.2")
                #expect(limited.status == .tooManyRequests, "the header named a new address, but the peer is the same")
            }
        }
    }

    @Test("the client behind a chain of trusted proxies is the first untrusted hop from the right; IPv6 clients share their /64")
    func clientAddress() {
        let addresses = ClientAddress(trustedProxies: [CIDR("10.0.0.0/8")!, CIDR("127.0.0.1/32")!])
        let proxy = IPAddress("127.0.0.1")
        #expect(addresses.client(peer: proxy, forwardedFor: ["198.51.100.1, 10.0.0.2"]) == IPAddress("198.51.100.1"))
        #expect(addresses.client(peer: proxy, forwardedFor: ["6.6.6.6, 198.51.100.1", "10.0.0.2"]) == IPAddress("198.51.100.1"))
        #expect(addresses.client(peer: IPAddress("198.51.100.1"), forwardedFor: ["10.0.0.2"]) == IPAddress("198.51.100.1"))
        #expect(addresses.client(peer: proxy, forwardedFor: ["not an address"]) == proxy)
        #expect(addresses.client(peer: proxy, forwardedFor: []) == proxy)
        #expect(ClientAddress.bucket(of: IPAddress("2001:db8:1:2:3:4:5:6")) == ClientAddress.bucket(of: IPAddress("2001:db8:1:2:ffff::1")))
        #expect(ClientAddress.bucket(of: IPAddress("2001:db8:1:2::1")) != ClientAddress.bucket(of: IPAddress("2001:db8:1:3::1")))
        #expect(ClientAddress.bucket(of: IPAddress("::ffff:192.0.2.1")) == "192.0.2.1")
    }

    @Test("/metrics without a token is open")
    func metricsOpen() async throws {
        try await TestGateway.withGateway { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let answer = try await client.execute(uri: "/metrics", method: .get)
                #expect(answer.status == .ok)
            }
        }
    }

    func fetch(_ url: String, headers: [String: String] = [:]) async throws -> (status: UInt, headers: [String: String], body: String) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 22)
        return (response.status.code, Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { $1 }, String(buffer: bytes))
    }

    @Test("siko serve with SIKO_METRICS_TOKEN: /metrics answers 401 without it and 200 with it; --unknown-key-burst and --trusted-proxies take effect")
    func serveFlags() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.file("data")
        let server = try SikoServe(
            arguments: [
                "serve", "--data", data, "--port", "0", "--unknown-key-rate", "0.01", "--unknown-key-burst", "3",
                "--trusted-proxies", "10.0.0.0/8,127.0.0.1/32",
            ],
            environment: ["SIKO_METRICS_TOKEN": "s3cret-metrics"]
        )
        do {
            let base = "http://127.0.0.1:\(try await server.port())"
            let open = try await fetch(base + "/metrics")
            #expect(open.status == 401)
            #expect(open.headers["content-type"] == "application/problem+json")
            #expect(open.headers["www-authenticate"] == "Bearer")
            #expect(try await fetch(base + "/metrics", headers: ["authorization": "Bearer wrong"]).status == 401)
            let scraped = try await fetch(base + "/metrics", headers: ["authorization": "Bearer s3cret-metrics"])
            #expect(scraped.status == 200)
            #expect(scraped.body.contains("siko_"))
            // The missing and the wrong metrics token spent two of this address's three guesses.
            #expect(try await fetch(base + "/v1/topics", headers: ["authorization": "Bearer siko_guess_x"]).status == 401)
            #expect(try await fetch(base + "/v1/topics", headers: ["authorization": "Bearer siko_guess_x"]).status == 429)
            #expect(try await fetch(base + "/v1/topics", headers: ["authorization": "Bearer siko_guess_x", "x-forwarded-for": "192.0.2.44"]).status == 401)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
        let refused = try SikoBinary.run("serve", "--data", data, "--port", "0", "--trusted-proxies", "10.0.0.0/8,intern")
        #expect(refused.status != 0 && refused.stderr.contains("--trusted-proxies"))
    }
}
