import Foundation
import SikoModel
import Testing
@testable import SikoChannels

/// Each adapter judges the receiving host by its own protocol; the dispatcher's breakers only read
/// the verdict. Pure functions, no network.
@Suite("Host health: each adapter classifies its own answers")
struct HostHealthTests {
    let now = Date(timeIntervalSince1970: 1_795_572_000)

    func webhook(_ status: Int, retryAfter: String? = nil) -> SendReport {
        WebhookChannel.classify(status: status, retryAfter: retryAfter, excerpt: "", now: now)
    }

    @Test("HTTP: an answer is healthy unless 5xx or 429", arguments: [
        (200, HostHealth.healthy), (204, .healthy), (301, .healthy), (400, .healthy), (404, .healthy), (410, .healthy),
        (429, .unhealthy), (500, .unhealthy), (502, .unhealthy), (503, .unhealthy),
    ])
    func webhookStatus(_ status: Int, _ health: HostHealth) {
        #expect(webhook(status).host == health)
        #expect(webhook(status).responseCode == status)
    }

    @Test("HTTP: a 429 or 503 with a Retry-After it can read asks for a pause, which is no verdict on the host")
    func webhookRetryAfter() {
        let paused = webhook(429, retryAfter: "120")
        #expect(paused.outcome == .retry(after: .seconds(120), reason: "HTTP 429") && paused.host == .unknown)
        #expect(webhook(503, retryAfter: "Wed, 25 Nov 2026 02:01:00 GMT").host == .unknown)
        #expect(webhook(503, retryAfter: "bald").host == .unhealthy, "an unreadable Retry-After is no pause")
        #expect(webhook(500, retryAfter: "120").outcome == .retry(after: nil, reason: "HTTP 500"), "only 429 and 503 ask for a pause")
    }

    @Test("HTTP: no answer is unhealthy and tells the kind of failure only")
    func webhookNoAnswer() {
        let failed = WebhookChannel.failed(CancellationError())
        #expect(failed == SendReport(.retry(after: nil, reason: "connection failed"), host: .unhealthy))
    }

    @Test("SMTP: a transient 4xx, refused credentials and no connection count against the relay; 5xx and success do not", arguments: [
        (SMTPResult(curlCode: 0, replyCode: 250, reply: "250 2.0.0 Ok", error: ""), HostHealth.healthy),
        (SMTPResult(curlCode: 55, replyCode: 451, reply: "451 4.3.0 Try again later", error: "RCPT failed: 451"), .unhealthy),
        (SMTPResult(curlCode: 55, replyCode: 421, reply: "421 4.3.2 Service not available", error: ""), .unhealthy),
        (SMTPResult(curlCode: 67, replyCode: 535, reply: "535 5.7.8 Authentication failed", error: "Login denied"), .unhealthy),
        (SMTPResult(curlCode: 7, replyCode: 0, reply: "", error: "Failed to connect"), .unhealthy),
        (SMTPResult(curlCode: 55, replyCode: 550, reply: "550 5.1.1 User unknown", error: "RCPT failed: 550"), .unknown),
    ])
    func smtp(_ result: SMTPResult, _ health: HostHealth) {
        #expect(EmailChannel.classify(result).host == health)
    }

    @Test("Kannel: 2xx healthy, its refusal (4xx) no verdict, 5xx and no connection unhealthy", arguments: [
        (202, HostHealth.healthy), (403, .unknown), (400, .unknown), (503, .unhealthy), (500, .unhealthy), (302, .healthy),
    ])
    func kannel(_ status: Int, _ health: HostHealth) {
        #expect(KannelGateway.classify(status: status, body: "").host == health)
    }

    @Test("Kannel: an unreachable gateway is retried against it")
    func kannelUnreachable() {
        #expect(KannelGateway.unreachable("SMS gateway not reachable") == SendReport(.retry(after: nil, reason: "SMS gateway not reachable"), host: .unhealthy))
    }
}
