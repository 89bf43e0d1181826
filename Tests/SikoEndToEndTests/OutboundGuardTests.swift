import SikoTestSupport
import SikoTestGateway
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import SikoChannels
import SikoConfig
import SikoModel
import Testing
@testable import SikoServer
@testable import SikoCore

/// The gateway must not become a way into the agencies' networks: webhook targets in private,
/// loopback, link-local or unique-local ranges are refused when a subscription is made and again
/// when connecting, after DNS.
@Suite("Outbound guard: refused ranges, DNS names, connect-time checks")
struct OutboundGuardTests {
    static let refused = [
        "https://127.0.0.1/hook", "https://127.8.9.10/hook", "https://0.0.0.0/hook", "https://10.20.30.40/hook",
        "https://172.16.0.1/hook", "https://172.31.255.254/hook", "https://192.168.178.1/hook", "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook", "https://[::1]/hook", "https://[fe80::1]/hook", "https://[fd00:abcd::1]/hook",
        "https://[fc00::5]/hook", "https://[::ffff:10.0.0.1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://localhost/hook",
        "https://LOCALHOST:8443/hook",
    ]

    @Test("a subscription to each refused range answers 422 on target, with no allowPrivateTargets", arguments: [Self.refused])
    func refusedAtCreation(targets: [String]) async throws {
        try await TestGateway.withGateway(allowPrivateTargets: []) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                for target in targets {
                    let answer = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"x","areas":["essen"],"channel":"webhook","target":"\(target)"}
                        """)
                    #expect(answer.status == .unprocessableContent, "\(target)")
                    let errors = answer.body["errors"] as? [[String: Any]] ?? []
                    #expect(errors.first?["field"] as? String == "target", "\(target)")
                }
                let reachable = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                    {"name":"x","areas":["essen"],"channel":"webhook","target":"https://93.184.215.14/hook"}
                    """)
                #expect(reachable.status == .created, "a public address is fine")
                #expect(try await fixture.store.subscriptions(partner: "stadt-essen").count == 1)
            }
        }
    }

    @Test("names that resolve to loopback are refused at creation: 0177.0.0.1 and 2130706433 are 127.0.0.1 to the resolver")
    func namesResolvingToLoopback() async throws {
        try await TestGateway.withGateway(allowPrivateTargets: []) { fixture in
            try await Application(router: fixture.router).test(.router) { client in
                let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                for target in ["https://0177.0.0.1/hook", "https://2130706433/hook", "https://0x7f.1/hook"] {
                    let answer = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"x","areas":["essen"],"channel":"webhook","target":"\(target)"}
                        """)
                    #expect(answer.status == .unprocessableContent, "\(target)")
                    let message = (answer.body["errors"] as? [[String: Any]])?.first?["message"] as? String
                    #expect(message?.contains("127.0.0.1") == true, "\(target): \(message ?? "-")")
                }
            }
        }
    }

    @Test("the guard resolves names before connecting: localhost is 127.0.0.1, refused unless allowed")
    func guardResolves() async {
        let strict = OutboundGuard(policy: OutboundPolicy())
        guard case .refused(let reason) = await strict.check(host: "localhost") else {
            Issue.record("localhost was let through")
            return
        }
        #expect(reason.en.contains("127.0.0.1") && reason.de.contains("127.0.0.1"))
        let allowing = OutboundGuard(policy: OutboundPolicy(allowed: [CIDR("127.0.0.0/8")!]))
        #expect(await allowing.check(host: "localhost") == .allowed([IPAddress("127.0.0.1")!]))
        if case .refused = await strict.check(host: "[::1]") {} else { Issue.record("[::1] was let through") }
        if case .unresolvable = await strict.check(host: "nowhere.invalid") {} else {
            Issue.record("a name that does not resolve is worth another try, not a permanent refusal")
        }
    }

    @Test("a target that passed when created but now resolves to loopback is refused at connect time: nothing reaches it")
    func refusedAtConnect() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway(allowPrivateTargets: []) { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    // Stored as if its name had pointed to a public address when it was made.
                    let target = url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                    let stored = subscription(areas: ["essen"], target: target)
                    try await fixture.store.insertSubscription(stored, secret: WebhookSigner.makeSecret())
                    fixture.gateway.engine.upsert(stored)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let published = try await client.json(.post, "/v1/events", key: publisher, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#)
                    let eventID = try #require(published.body["id"] as? String)
                    let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                    let final = try await fixture.waitForFinal(delivery.id)
                    #expect(final?.status == .dead)
                    #expect(final?.lastError?.contains("outbound guard") == true)
                    #expect(final?.lastError?.contains("127.0.0.1") == true)
                    #expect(await inbox.received.isEmpty)
                }
            }
        }
    }

    // That the connection goes to the checked address, not wherever the name points next, is
    // PinningTests.plainHTTPRebinding; here only what the receiver reads.
    @Test("plain http to a name: delivered, with the name and port in the Host header")
    func pinnedConnection() async throws {
        let inbox = Inbox()
        try await TestGateway.withGateway { fixture in
            let application = GatewayApplication.make(gateway: fixture.gateway, front: fixture.front, host: "127.0.0.1", port: 0)
            try await application.test(.live) { client in
                try await Inbox.serve(inbox) { url in
                    let target = url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                    let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                    let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                        {"name":"x","areas":["essen"],"channel":"webhook","target":"\(target)"}
                        """)
                    #expect(created.status == .created)
                    let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                    let published = try await client.json(.post, "/v1/events", key: publisher, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#)
                    let eventID = try #require(published.body["id"] as? String)
                    let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                    #expect(try await fixture.waitForFinal(delivery.id)?.status == .delivered)
                    let port = try #require(URLComponents(string: url)?.port)
                    #expect(await inbox.received.first?.headers["host"] == "localhost:\(port)")
                }
            }
        }
    }

    @Test("pinning rewrites only plain-http names, brackets IPv6, keeps port, path and query")
    func pinnedURL() throws {
        let url = try #require(URLComponents(string: "http://hooks.example:8080/siko?x=1"))
        #expect(OutboundGuard.pinned(url, to: [IPAddress("203.0.113.7")!])?.url == "http://203.0.113.7:8080/siko?x=1")
        #expect(OutboundGuard.pinned(url, to: [IPAddress("203.0.113.7")!])?.host == "hooks.example:8080")
        #expect(OutboundGuard.pinned(url, to: [IPAddress("2001:db8::1")!])?.url == "http://[2001:db8:0:0:0:0:0:1]:8080/siko?x=1")
        let tls = try #require(URLComponents(string: "https://hooks.example/siko"))
        #expect(OutboundGuard.pinned(tls, to: [IPAddress("203.0.113.7")!]) == nil, "https keeps its name for the certificate")
    }

    @Test("the SMS gateway's URL: a private address outside sms.yaml's allowPrivateTargets is a config error, a name is checked before connecting")
    func smsGateway() async throws {
        let metadata = ChannelsLoader(directory: Repository.channels, environment: ["SIKO_SMS_URL": "http://169.254.169.254/latest"])
        #expect(throws: ConfigErrors.self) { _ = try metadata.load() }
        do { _ = try metadata.load() } catch {
            #expect(error.description.contains("sms.yaml:2: url: 169.254.169.254 is private or loopback and not in allowPrivateTargets"))
        }
        #expect(throws: Never.self) { _ = try ChannelsLoader(directory: Repository.channels, environment: [:]).load() }

        let strict = KannelGateway(
            options: SMSOptions(url: "http://localhost:9/cgi-bin/sendsms", from: "SiKoRuhr", user: "siko", password: "x", allowPrivateTargets: []),
            timeout: .seconds(2)
        )
        let report = await strict.submit(SMSMessage(deliveryId: "dlv_1", to: "+4917012345678", text: "x", encoding: .gsm7, reportURL: nil))
        if case .retry(_, let reason) = report.outcome {
            #expect(reason.contains("outbound guard") && reason.contains("127.0.0.1"))
        } else {
            Issue.record("a gateway URL resolving to loopback went through: \(report.outcome)")
        }
        try await strict.shutdown()
    }

    @Test("redirects are not followed: a 302 to another receiver fails the attempt with its code, and nothing reaches where it pointed")
    func redirectsNotFollowed() async throws {
        let elsewhere = Inbox()
        try await Inbox.serve(elsewhere) { elsewhereURL in
            // A receiver that answers every POST with a redirect to a reachable, allowed receiver:
            // following it would deliver there.
            let router = Router()
            let hits = HitCount()
            router.post("hook") { _, _ -> Response in
                await hits.increment()
                return Response(status: .found, headers: [.location: elsewhereURL])
            }
            let redirecting = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await redirecting.test(.live) { redirector in
                let url = "http://127.0.0.1:\(redirector.port!)/hook"
                try await TestGateway.withGateway(retrySchedule: RetrySchedule(delays: [.zero])) { fixture in
                    let application = GatewayApplication.make(gateway: fixture.gateway, host: "127.0.0.1", port: 0)
                    try await application.test(.live) { client in
                        let manager = try await fixture.key("stadt-essen", .subscriptionsManage)
                        let created = try await client.json(.post, "/v1/subscriptions", key: manager, body: """
                            {"name":"x","areas":["essen"],"channel":"webhook","target":"\(url)"}
                            """)
                        #expect(created.status == .created)
                        let publisher = try await fixture.key("stadt-essen", .eventsPublish)
                        let published = try await client.json(.post, "/v1/events", key: publisher, body: #"{"topic":"razzia","urgency":"high","areas":["essen"],"title":"x"}"#)
                        let eventID = try #require(published.body["id"] as? String)
                        let delivery = try #require(try await fixture.store.deliveries(eventID: eventID).first)
                        let final = try await fixture.waitForFinal(delivery.id)
                        #expect(final?.status == .dead && final?.attempts == 1)
                        #expect(final?.lastError?.hasPrefix("HTTP 302") == true, "\(String(describing: final?.lastError))")
                        #expect(await hits.value == 1)
                        #expect(await elsewhere.received.isEmpty, "the redirect's target got nothing")
                    }
                }
            }
        }
    }
}

/// Counts requests to a test's own receiver.
actor HitCount {
    private(set) var value = 0
    func increment() { value += 1 }
}
