import Foundation
import SikoChannels
import SikoConfig
import SikoModel

/// Emails per second through libcurl to a local aiosmtpd (which accepts and drops them), with
/// connections kept open across messages against a new connection per message.
struct EmailBench {
    let rules: String

    func run() async throws {
        print("email (SMTP to a local aiosmtpd that drops each message, 8 at once)")
        guard let python = ProcessInfo.processInfo.environment["SIKO_BENCH_PYTHON"] else {
            report("SIKO_BENCH_PYTHON not set", "skipped (make bench sets it to a venv with aiosmtpd)")
            return
        }
        let reference = try RulesLoader(directory: rules).load().reference
        let templates = try EmailTemplates.load(directory: "Channels/templates")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["Tests/python/smtp_server.py", "--dir", NSTemporaryDirectory(), "--discard"]
        let input = Pipe(), output = Pipe()
        server.standardInput = input
        server.standardOutput = output
        try server.run()
        defer {
            try? input.fileHandleForWriting.close()
            server.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchError.unexpected("the SMTP server did not start") }
            line += chunk
        }
        let port = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(6)
        for reuse in [true, false] {
            var settings = EmailChannel.Settings(
                options: EmailOptions(
                    url: "smtp://127.0.0.1:\(port)", from: Mailbox(name: "SiKo Ruhr", address: "alarm@siko.example"), startTLS: .off,
                    links: Links(publicURL: "https://siko.example")
                ),
                timeout: .seconds(30), concurrency: 8
            )
            settings.reuseConnections = reuse
            let channel = EmailChannel(settings: settings, templates: templates, reference: reference)
            let count = 3000
            let start = ContinuousClock.now
            let failed = await sendConcurrently(count: count, workers: 8) { await channel.send(Self.job()).outcome == .sent }
            let seconds = elapsed(since: start)
            try await channel.shutdown()
            report(reuse ? "connections reused" : "a new connection per message",
                   String(format: "%.0f emails/s  (%d in %.2f s, %d failed)", Double(count) / seconds, count, seconds, failed))
        }
    }

    static func job() -> DeliveryJob {
        let now = Date()
        let event = Event(
            id: Identifier.make("evt"), externalId: nil, publisher: "stadt-essen", topic: "razzia", urgency: .high, areas: ["essen"],
            title: "Großkontrolle Altendorfer Straße", body: "Gemeinsame Kontrolle von Ordnungsamt, Polizei und Zoll ab 20:00 Uhr.",
            classification: .public, publishedAt: now, expiresAt: nil, data: nil
        )
        let delivery = Delivery(
            id: Identifier.make("dlv"), eventId: event.id, subscriptionId: "sub_1", partner: "stadt-essen", channel: .email,
            target: "lagedienst@polizei.example", status: .sending, attempts: 1, nextAttemptAt: nil, createdAt: now, updatedAt: now
        )
        return DeliveryJob(delivery: delivery, event: event, secret: nil, language: .de)
    }
}
